// XOR trained with explicit backprop in plain TypeScript: the same math as examples/xor.ts
// (2-5-1 sigmoid network, cost = sum((y - out)^2), SGD with rate 0.1), written the way a careful
// developer would by hand, on float32 arrays with no allocation per step.

export function makeHandwrittenXor(w1Init: Float32Array, w2Init: Float32Array) {
  const X = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
  const Y = Float32Array.from([0, 1, 1, 0]);
  const W1 = Float32Array.from(w1Init); // 2x5
  const W2 = Float32Array.from(w2Init); // 5x1
  const H = new Float32Array(20);
  const O = new Float32Array(4);
  const dO = new Float32Array(4);
  const dH = new Float32Array(20);
  const lr = 0.1;
  function step(): number {
    let cost = 0;
    for (let n = 0; n < 4; n++) {
      for (let j = 0; j < 5; j++) {
        const z = X[n * 2] * W1[j] + X[n * 2 + 1] * W1[5 + j];
        H[n * 5 + j] = 1 / (1 + Math.exp(-z));
      }
      let z = 0;
      for (let j = 0; j < 5; j++) z += H[n * 5 + j] * W2[j];
      const o = 1 / (1 + Math.exp(-z));
      O[n] = o;
      const e = Y[n] - o;
      cost += e * e;
      dO[n] = -2 * e * o * (1 - o);
    }
    for (let n = 0; n < 4; n++) {
      for (let j = 0; j < 5; j++) {
        const h = H[n * 5 + j];
        dH[n * 5 + j] = dO[n] * W2[j] * h * (1 - h);
      }
    }
    for (let j = 0; j < 5; j++) {
      let g = 0;
      for (let n = 0; n < 4; n++) g += H[n * 5 + j] * dO[n];
      W2[j] -= lr * g;
    }
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 5; j++) {
        let g = 0;
        for (let n = 0; n < 4; n++) g += X[n * 2 + i] * dH[n * 5 + j];
        W1[i * 5 + j] -= lr * g;
      }
    }
    return cost;
  }
  return { step, W1, W2, O };
}

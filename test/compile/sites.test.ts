import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { FunctionGraph } from '../../lib/graph/fgraph';
import { COMPILER_SITE, withoutSiteCapture } from '../../lib/graph/trace';
import { backends, nativeHas } from '../helpers';

// Nodes the compiler builds (rewrites, segments) capture no stack: they take the creation site of the node they
// replace, so a run-time error in a fused or gemm node names the user's expression, never the T.function line.

/** The value built on the caller's line, and that line as `file:line`, read from a stack as creation sites are. */
function withLine<V>(v: V): [V, string] {
  const frame = new Error().stack!.split('\n')[2];
  return [v, /(sites\.test\.ts:\d+):\d+\)?$/.exec(frame)![1]];
}

/** The RuntimeError f(...args) throws. */
function runtimeError(f: T.CompiledFunction, ...args: unknown[]): T.RuntimeError {
  try {
    f(...args);
  } catch (e) {
    expect(e).toBeInstanceOf(T.RuntimeError);
    return e as T.RuntimeError;
  }
  throw new Error('expected a RuntimeError');
}

const siteLine = (site: string) => /(sites\.test\.ts:\d+):\d+$/.exec(site)?.[1];

describe('creation sites of nodes the compiler builds', () => {
  for (const backend of backends) {
    describe(backend, () => {
      it.skipIf(backend === 'native' && !nativeHas('Fused'))('a shape error in a fused elementwise node names the line of the fused expression', () => {
        const x = T.matrix('x');
        const y = T.matrix('y');
        const [z, exprLine] = withLine(T.sigmoid(x.mul(y)).add(1));
        const [f, fnLine] = withLine(T.function([x, y], z, { backend }));
        expect(f.program.steps.map((s) => s.kernel)).toEqual(['Fused']);
        const e = runtimeError(f, [[1, 2]], [[1, 2, 3]]);
        expect(e.message).toContain('fused: inputs must have broadcast-compatible shapes, got [1, 2] and [1, 3]');
        expect(e.node).toBe('fused{add(sigmoid(mul(x, y)), 1)}');
        expect(siteLine(e.createdAt!)).toBe(exprLine);
        expect(exprLine).not.toBe(fnLine);
      });

      it.skipIf(backend === 'native' && !nativeHas('Gemm'))('a shape error in a gemm node names the line of the addition it replaced', () => {
        const A = T.matrix('A');
        const B = T.matrix('B');
        const C = T.matrix('C');
        const [p, dotLine] = withLine(T.dot(A, B));
        const [z, addLine] = withLine(p.add(C));
        const [f, fnLine] = withLine(T.function([A, B, C], z, { backend }));
        expect(f.program.steps.map((s) => s.kernel)).toEqual(['Gemm']);
        const e = runtimeError(f, [[1, 2, 3], [4, 5, 6]], [[1], [2], [3]], [[1, 2], [3, 4], [5, 6]]);
        expect(e.message).toContain('gemm:');
        expect(e.node).toBe('gemm(1 * dot(A, B) + 1 * C)');
        expect(siteLine(e.createdAt!)).toBe(addLine);
        expect(new Set([dotLine, fnLine]).has(addLine)).toBe(false);
      });
    });
  }

  it('gives every node of a rewritten training step the site of a user expression, never the T.function line', () => {
    const x = T.fmatrix('x');
    const y = T.fmatrix('y');
    const W = T.shared(T.zeros([3, 4], 'float32'), { name: 'W' });
    const b = T.shared(T.zeros([4], 'float32'), { name: 'b' });
    const [z, l1] = withLine(T.dot(x, W).add(b));
    const [h, l2] = withLine(T.log(T.sigmoid(z)));
    const [cost, l3] = withLine(T.mean(T.neg(T.sum(y.mul(h), 1))));
    const [[gW, gb], l4] = withLine(T.grad(cost, [W, b]));
    const [updates, l5] = withLine<[T.SharedVariable, T.Variable][]>([[W, W.sub(gW.mul(0.1))], [b, b.sub(gb.mul(0.1))]]);
    const [f, fnLine] = withLine(T.function([x, y], cost, { updates, backend: 'js' }));
    const lines = new Set(f.program.nodes.map((n) => siteLine(n.createdAt)));
    expect(f.rewriteLog().some((e) => e.kind === 'rewrite' && e.phase === 'fusion' && e.count > 0)).toBe(true);
    expect(lines.has(fnLine)).toBe(false);
    expect([...lines].every((l) => l !== undefined && [l1, l2, l3, l4, l5].includes(l))).toBe(true);
  });

  it('builds nodes without capturing inside withoutSiteCapture, and captures again afterwards', () => {
    const x = T.vector('x');
    const inner = withoutSiteCapture(() => x.add(1));
    expect(inner.site).toBe(COMPILER_SITE);
    expect(inner.owner!.site).toBe(COMPILER_SITE);
    expect(() => withoutSiteCapture(() => { throw new Error('boom'); })).toThrow('boom');
    const outer = x.add(1);
    expect(outer.site).not.toBe(COMPILER_SITE);
    expect(String(outer.site)).toMatch(/sites\.test\.ts:\d+:\d+$/);
  });

  it('gives a replacement and the new nodes and constants behind it the replaced variable\'s site, leaving older nodes theirs', () => {
    const x = T.vector('x');
    const [old, oldLine] = withLine(x.exp());
    const [target, targetLine] = withLine(old.mul(3));
    const rep = withoutSiteCapture(() => T.add(T.neg(old), T.constant(2, 'float64')));
    const fg = new FunctionGraph([x], [target], new Map([[target, rep]]), { recursive: true });
    const out = fg.outputs[0];
    expect(out).toBe(rep);
    expect(siteLine(String(rep.site))).toBe(targetLine);
    const neg = rep.owner!.inputs[0];
    expect(siteLine(String(neg.site))).toBe(targetLine);
    expect(siteLine(String(neg.owner!.site))).toBe(targetLine);
    expect(siteLine(String(rep.owner!.inputs[1].site))).toBe(targetLine);
    expect(siteLine(String(old.site))).toBe(oldLine);
  });

  it('adopts sites for replacements of a non-recursive graph too (segments), and keeps a user replacement\'s own site', () => {
    const x = T.vector('x');
    const [a, aLine] = withLine(x.exp());
    const [b, bLine] = withLine(x.neg());
    const ref = withoutSiteCapture(() => new T.Variable(x.type, null, 0, 'ref'));
    const built = withoutSiteCapture(() => T.mul(x, ref));
    const fg = new FunctionGraph([x, ref], [a, b], new Map([[a, built], [b, x.sin()]]));
    expect(fg.outputs[0]).toBe(built);
    expect(siteLine(String(built.owner!.site))).toBe(aLine);
    expect(siteLine(String(ref.site))).toBe(aLine);
    expect(siteLine(String(fg.outputs[1].site))).not.toBe(bLine);
    expect(String(fg.outputs[1].site)).toMatch(/sites\.test\.ts:\d+:\d+$/);
  });
});

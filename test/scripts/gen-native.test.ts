import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { elemwiseProblems, generate, opcodeOrder, ROOT } from '../../scripts/gen-native';
import { ClipOp } from '../../lib/ops/clip';
import { declareNativeElemwise, defineElemwise, elemwiseOpcode, ElemwiseOp, NativeElemwise, nativeElemwiseOps } from '../../lib/ops/elemwise';
import { ELEMWISE_OPCODES } from '../../lib/ops/generated/elementwise-opcodes';
import { ReluOp } from '../../lib/ops/relu';

const op = (kernel: string, extra: Partial<NativeElemwise> = {}): NativeElemwise => ({ kernel, arity: 1, heavy: false, params: [], cpp: 'a', ...extra });

describe('gen-native: the tables generated from the op files', () => {
  it('rejects duplicate kernel ids and malformed declarations, listing every problem', () => {
    expect(elemwiseProblems([op('Abs'), op('Neg'), op('Abs')])).toEqual(['gen-native: kernel ids must be unique, got Abs twice']);
    const problems = elemwiseProblems([op('abs'), op('Neg', { arity: 4 as never }), op('Sqr', { cpp: ' ' }), op('Elu', { params: [['b', 1], ['alpha', Infinity]] })]);
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PascalCase and not Const, got "abs"/);
    expect(problems.join('\n')).toMatch(/Neg arity must be 1, 2 or 3, got 4/);
    expect(problems.join('\n')).toMatch(/Sqr must have a C\+\+ formula/);
    expect(problems.join('\n')).toMatch(/Elu parameter names must be C\+\+ identifiers other than a, b, c.*got "b"/);
    expect(problems.join('\n')).toMatch(/Elu parameter alpha must have a finite default, got Infinity/);
    expect(() => generate([op('Abs'), op('Abs')])).toThrow(/got Abs twice/);
  });

  it('refuses a second declaration of an elementwise kernel id', () => {
    expect(() => declareNativeElemwise(op('Sin'))).toThrow('elementwise kernel Sin declared twice');
    expect(() => defineElemwise({ name: 'sin2', kernel: 'Sin', arity: 1, js: () => 'Math.sin(a)', cpp: 'std::sin(a)', grad: () => [null] })).toThrow(/Sin/);
  });

  it('the committed output is what the op files generate now (else run: npm run gen)', () => {
    for (const f of generate()) {
      const file = path.join(ROOT, f.path);
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '<missing>';
      expect(committed === f.text, `${f.path} is stale: run npm run gen`).toBe(true);
    }
  });

  it('numbers opcodes by sorted kernel id, 0 being the Fused constant, the same in both languages', () => {
    const ids = opcodeOrder([...nativeElemwiseOps.values()]).map((o) => o.kernel);
    expect(ELEMWISE_OPCODES).toEqual(['', ...ids]);
    expect(new Set(ids).size).toBe(ids.length);
    const header = fs.readFileSync(path.join(ROOT, 'native/kernels/generated/elementwise_ops.h'), 'utf8');
    ids.forEach((id, i) => expect(header).toContain(`  ${id} = ${i + 1},`));
    expect(header).toContain(`constexpr int32_t kEwCodeCount = ${ids.length + 1};`);
    expect(elemwiseOpcode('Add')).toBe(ids.indexOf('Add') + 1);
    expect(elemwiseOpcode('NoSuchKernel')).toBeUndefined();
  });

  it('carries every fact the native side needs from the op file: arity, heaviness, parameters, formula', () => {
    const relu = nativeElemwiseOps.get('Relu')!;
    expect(relu).toMatchObject({ arity: 1, heavy: false, params: [['alpha', 0]] });
    expect(relu.cpp).toContain('alpha');
    expect(nativeElemwiseOps.get('Exp')!.heavy).toBe(true);
    expect(nativeElemwiseOps.get('Where')!.arity).toBe(3);
    // ternary ops and ops off their parameter defaults have no Fused opcode; the others do
    expect(ClipOp.fuseOpcode).toBeUndefined();
    expect(ReluOp.fuseOpcode).toBe(elemwiseOpcode('Relu'));
    expect(new ElemwiseOp(ReluOp.spec, { alpha: 0.1 }).fuseOpcode).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { importsOf, layerOf, LAYERS, libModules } from './layers';

describe('lib/ layers', () => {
  it('puts every module in a layer', () => {
    for (const m of libModules()) expect(() => layerOf(m), m).not.toThrow();
  });
  it('has no import that points up the data path (a module imports only its own layer and earlier ones)', () => {
    const up: string[] = [];
    for (const m of libModules()) {
      for (const i of importsOf(m)) if (layerOf(i) > layerOf(m)) up.push(`lib/${m} (${LAYERS[layerOf(m)]}) imports lib/${i} (${LAYERS[layerOf(i)]})`);
    }
    expect(up).toEqual([]);
  });
  it('finds imports the way the check needs them (the check itself can fail)', () => {
    expect(importsOf('index.ts')).toContain('api/function.ts');
    expect(layerOf('api/function.ts')).toBeGreaterThan(layerOf('graph/variable.ts'));
  });
});

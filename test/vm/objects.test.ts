import { describe, expect, it } from 'vitest';
import { Thrown } from '../../vm/errors.ts';
import { describeTables } from './run-tables.ts';
import { C, OBJECTS_PACKAGE, tables } from './cases/objects.ts';
import { loadRun } from './harness.ts';

describeTables(tables);

describe('uncaught exceptions reach the host', () => {
  const body = `sload_0; invokestatic ${C.level3}; sreturn;`;
  const setup = () => loadRun(body, { ...OBJECTS_PACKAGE, params: 'S', returns: 'S', stack: 2, locals: 0 });

  it('a MyEx thrown three frames down leaves vm.call as Thrown carrying that object', () => {
    const loaded = setup();
    const vm = loaded.card.jcre.vm;
    vm.budget = 10_000;
    let caught: unknown;
    try {
      vm.call(loaded.method('run'), [0]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Thrown);
    const obj = loaded.heap.get((caught as Thrown).handle)!;
    const myEx = loaded.card.jcre.packages[0]!.linked.pkg.cp.cls[C.MyEx]!;
    expect(obj.cls).toBe(myEx);
    expect(obj.cls!.isSubclassOf(loaded.card.jcre.api.cls('java/lang/RuntimeException'))).toBe(true);
  });

  it('a VM-detected ArithmeticException leaves vm.call as Thrown of the API class', () => {
    const loaded = setup();
    const vm = loaded.card.jcre.vm;
    vm.budget = 10_000;
    let caught: unknown;
    try {
      vm.call(loaded.method('run'), [1]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Thrown);
    expect(loaded.heap.get((caught as Thrown).handle)!.cls!.name).toBe('java/lang/ArithmeticException');
  });

  it('the VM is reusable after an uncaught exception: frames unwound, stack released', () => {
    const loaded = setup();
    const vm = loaded.card.jcre.vm;
    vm.budget = 10_000;
    expect(() => vm.call(loaded.method('run'), [2])).toThrow(Thrown);
    expect(vm.frameDepth).toBe(0);
    expect(vm.sp).toBe(0);
    expect(vm.call(loaded.method('run'), [7])).toBe(1107);
    expect(vm.frameDepth).toBe(0);
    expect(vm.sp).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { portTaken } from '../../../src/testing/free-port';

describe('portTaken', () => {
  it("recognises the engine's and the kernel's words for a port in use, also as a cause", () => {
    const engine = new Error('Bind for 127.0.0.1:41234 failed: port is already allocated');
    expect(portTaken(engine)).toBe(true);
    expect(portTaken(new Error('start test stack', { cause: new Error('x', { cause: engine }) }))).toBe(true);
    expect(portTaken(new Error('listen tcp4 127.0.0.1:41234: bind: address already in use'))).toBe(true);
  });

  it('any other failure is not a port clash', () => {
    expect(portTaken(new Error('image not found'))).toBe(false);
    expect(portTaken('port is already allocated')).toBe(false);
    expect(portTaken(undefined)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { openSuccessor, sealSuccessor } from '../../src/auth/successor-seal.ts';
import { generateToken } from '../../src/auth/tokens.ts';

describe('successor seal', () => {
  const parent = generateToken('refresh');
  const payload = { accessToken: generateToken('access'), refreshToken: generateToken('refresh') };

  it('opens with the parent token that sealed it', () => {
    expect(openSuccessor(parent, sealSuccessor(parent, payload))).toEqual(payload);
  });

  it('does not open with any other token, nor when tampered with', () => {
    const seal = sealSuccessor(parent, payload);
    expect(openSuccessor(generateToken('refresh'), seal)).toBeUndefined();
    const tampered = Buffer.from(seal);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(openSuccessor(parent, tampered)).toBeUndefined();
    expect(openSuccessor(parent, Buffer.alloc(5))).toBeUndefined();
  });

  it('holds no token in the clear', () => {
    const seal = sealSuccessor(parent, payload).toString('latin1');
    expect(seal).not.toContain(payload.accessToken);
    expect(seal).not.toContain(payload.refreshToken.slice(4, 20));
  });
});

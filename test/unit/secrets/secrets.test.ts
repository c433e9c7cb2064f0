import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../../shared/errors/index.ts';
import { KeyFile, Keyring, addKeyToFile, isSealed, keyIdOf, newKeyLine, openPassword, parseKeyFile, readKeyring, resealPassword, sealPassword } from '../../../shared/secrets/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-secrets-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = () => Buffer.from(newKeyLine(), 'base64');
const ring = (...keys: Buffer[]) => new Keyring(keys, 'test-keys');
const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!isFerryError(error)) throw error;
    return error.code;
  }
};

describe('envelope (AES-256-GCM)', () => {
  const k1 = key();
  const keys = ring(k1);

  it('seals to ferry-secret:v1:<keyId>:<iv>:<data> and opens back, with a fresh IV each time', () => {
    const a = keys.seal('pässwörd:@/', 'datasource/src');
    const b = keys.seal('pässwörd:@/', 'datasource/src');
    expect(a).toMatch(new RegExp(`^ferry-secret:v1:${keyIdOf(k1)}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$`));
    expect(a).not.toContain('pässwörd');
    expect(a).not.toBe(b);
    expect(keys.open(a, 'datasource/src', 'x')).toBe('pässwörd:@/');
    expect(keys.open(b, 'datasource/src', 'x')).toBe('pässwörd:@/');
  });

  it('refuses a tampered ciphertext, IV or key id, and a truncated envelope', () => {
    const sealed = keys.seal('secret', 'datasource/src');
    const parts = sealed.split(':');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    expect(codeOf(() => keys.open([...parts.slice(0, 4), flip(parts[4]!)].join(':'), 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNREADABLE');
    expect(codeOf(() => keys.open([...parts.slice(0, 3), flip(parts[3]!), parts[4]].join(':'), 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNREADABLE');
    expect(codeOf(() => keys.open(parts.slice(0, 4).join(':'), 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNREADABLE');
    expect(codeOf(() => keys.open([parts[0], 'v9', ...parts.slice(2)].join(':'), 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNREADABLE');
    expect(codeOf(() => keys.open([parts[0], parts[1], '0123456789abcdef', ...parts.slice(3)].join(':'), 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNKNOWN_KEY');
  });

  it('does not open under another context: an envelope copied to another data source is refused', () => {
    const sealed = keys.seal('secret', 'datasource/src');
    expect(codeOf(() => keys.open(sealed, 'datasource/evil', 'x'))).toBe('FERRY_ERR_SECRET_UNREADABLE');
  });

  it('names the missing key and the keys held when the wrong key file is used', () => {
    const other = ring(key());
    const sealed = keys.seal('secret', 'c');
    let message = '';
    try {
      other.open(sealed, 'c', "the password of data source 'src'");
    } catch (error) {
      expect(isFerryError(error, 'FERRY_ERR_SECRET_UNKNOWN_KEY')).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain(keyIdOf(k1));
    expect(message).toContain("data source 'src'");
    expect(message).toContain(other.sealingKeyId);
  });
});

describe('keyring: first key seals, every key opens', () => {
  it('opens what an older key sealed and reseals it under the first', () => {
    const oldKey = key();
    const newKey = key();
    const before = ring(oldKey);
    const during = ring(newKey, oldKey);
    const after = ring(newKey);
    const sealedOld = before.seal('pw', 'datasource/src');
    expect(during.open(sealedOld, 'datasource/src', 'x')).toBe('pw');
    expect(during.sealedByCurrentKey(sealedOld)).toBe(false);
    const resealed = resealPassword(during, 'src', sealedOld);
    expect(during.sealedByCurrentKey(resealed)).toBe(true);
    expect(resealPassword(during, 'src', resealed)).toBe(resealed);
    expect(after.open(resealed, 'datasource/src', 'x')).toBe('pw');
    expect(codeOf(() => after.open(sealedOld, 'datasource/src', 'x'))).toBe('FERRY_ERR_SECRET_UNKNOWN_KEY');
  });

  it('data source passwords: clear text sealed, empty kept, opened only with a key', () => {
    const keys = ring(key());
    const sealed = sealPassword(() => keys, 'src', 'pw');
    expect(isSealed(sealed)).toBe(true);
    expect(sealPassword(() => keys, 'src', '')).toBe('');
    expect(openPassword(() => keys, 'src', sealed)).toBe('pw');
    expect(openPassword(() => keys, 'src', 'legacy-clear')).toBe('legacy-clear');
    expect(resealPassword(keys, 'src', 'legacy-clear')).toMatch(/^ferry-secret:v1:/);
    expect(codeOf(() => sealPassword(() => undefined, 'src', 'pw'))).toBe('FERRY_ERR_SECRET_NO_KEY');
    expect(codeOf(() => openPassword(() => undefined, 'src', sealed))).toBe('FERRY_ERR_SECRET_NO_KEY');
    expect(codeOf(() => openPassword(() => keys, 'dst', sealed))).toBe('FERRY_ERR_SECRET_UNREADABLE');
  });
});

describe('key file', () => {
  it('reads one key per line, skipping comments and blank lines; names bad lines without quoting them', () => {
    const a = newKeyLine();
    const b = newKeyLine();
    expect(parseKeyFile(`# keys\n${a}\n\n${b}\n`, 'f').map((k) => k.toString('base64'))).toEqual([a, b]);
    let detail = '';
    try {
      parseKeyFile(`${a}\nnot-a-key-but-maybe-secret\n${Buffer.alloc(16).toString('base64')}\n`, 'f');
    } catch (error) {
      expect(isFerryError(error, 'FERRY_ERR_SECRET_KEY_FILE')).toBe(true);
      detail = String((error as { details: { detail: string } }).details.detail);
    }
    expect(detail).toContain('line 2');
    expect(detail).toContain('line 3');
    expect(detail).not.toContain('not-a-key');
    expect(codeOf(() => parseKeyFile('# nothing\n', 'f'))).toBe('FERRY_ERR_SECRET_KEY_FILE');
  });

  it('refuses a key file its group or others may read, as ssh does', () => {
    const path = join(dir, 'open.key');
    writeFileSync(path, `${newKeyLine()}\n`, { mode: 0o644 });
    chmodSync(path, 0o644);
    let message = '';
    try {
      readKeyring(path);
    } catch (error) {
      expect(isFerryError(error, 'FERRY_ERR_SECRET_KEY_FILE')).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain('mode 0644');
    expect(message).toContain(`chmod 600 ${path}`);
    chmodSync(path, 0o600);
    expect(readKeyring(path).ids).toHaveLength(1);
    expect(codeOf(() => readKeyring(join(dir, 'missing.key')))).toBe('FERRY_ERR_SECRET_KEY_FILE');
  });

  it('new-key creates the file 0600, then puts each new key first, keeping the old ones', () => {
    const path = join(dir, 'rotating.key');
    const first = addKeyToFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readKeyring(path).ids).toEqual([first]);
    const second = addKeyToFile(path);
    expect(readKeyring(path).ids).toEqual([second, first]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('#'))).toHaveLength(1);
  });

  it('KeyFile takes a changed file at the next use (a key added for rotation, an old one removed)', () => {
    const path = join(dir, 'live.key');
    const oldLine = newKeyLine();
    writeFileSync(path, `${oldLine}\n`, { mode: 0o600 });
    const file = KeyFile.open(path);
    const oldId = file.current().sealingKeyId;
    const newId = addKeyToFile(path);
    expect(file.current().ids).toEqual([newId, oldId]);
    const newLine = readFileSync(path, 'utf8').split('\n').find((l) => l !== '' && !l.startsWith('#') && l !== oldLine)!;
    writeFileSync(path, `${newLine}\n`, { mode: 0o600 });
    expect(file.current().ids).toEqual([newId]);
    chmodSync(path, 0o640);
    expect(codeOf(() => file.current())).toBe('FERRY_ERR_SECRET_KEY_FILE');
  });
});

describe('log redaction (defence in depth)', () => {
  it('blanks passwords of pipelines, data sources and snapshots logged whole', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../../shared/logging.ts');
    let written = '';
    const destination = new Writable({ write(chunk: Buffer, _encoding, done) { written += chunk.toString(); done(); } });
    const log = createLogger({ level: 'info', destination });
    const endpoint = { host: 'h', port: 1, user: 'u', password: 'Zq-logged-pw-1' };
    log.info({ password: 'Zq-logged-pw-2', pipeline: { source: endpoint, target: endpoint } }, 'a');
    log.info({ desired: { pipeline: { source: endpoint } } }, 'b');
    log.info({ view: { snapshot: { dataSources: { src: { groupKey: 'src', password: 'Zq-logged-pw-3' } } } } }, 'c');
    log.info({ configSnapshot: { dataSources: { src: { password: 'Zq-logged-pw-4' } } } }, 'd');
    expect(written.split('\n').filter(Boolean)).toHaveLength(4);
    expect(written).toContain('[redacted]');
    expect(written).not.toContain('Zq-logged-pw');
  });
});

import { describe, expect, it } from 'vitest';
import { editEnvFile, parseEnvFile, quoteEnvValue } from '../../../src/compose/env-file';
import { InvalidInputError, type UpgradeError } from '../../../src/errors/upgrade-error';
import { changedLines, ENV_FILE } from './fixtures';

const read = (text: string) => parseEnvFile(text).entries;

describe('editEnvFile: set', () => {
  it('rewrites only the value of the line, keeping export, spacing and the inline comment', () => {
    const before = 'A=1\nexport  ENGRAM_TAG = 0.17.0   # pinned by ops\nB=2\n';
    const after = editEnvFile(before, [{ op: 'set', name: 'ENGRAM_TAG', value: '0.18.1' }]);
    expect(after).toBe('A=1\nexport  ENGRAM_TAG = 0.18.1   # pinned by ops\nB=2\n');
  });

  it('changes one line of a realistic file and nothing else', () => {
    const after = editEnvFile(ENV_FILE, [{ op: 'set', name: 'ENGRAM_TAG', value: '0.18.1' }]);
    expect(changedLines(ENV_FILE, after)).toEqual([[18, 'ENGRAM_TAG=0.17.0', 'ENGRAM_TAG=0.18.1']]);
  });

  it('keeps the quoting style of the line when it can hold the new value', () => {
    expect(editEnvFile("K='old'\n", [{ op: 'set', name: 'K', value: 'new' }])).toBe("K='new'\n");
    expect(editEnvFile('K="old" # c\n', [{ op: 'set', name: 'K', value: 'n$w' }])).toBe('K="n\\$w" # c\n');
    // Single quotes cannot hold a quote: double quotes take over.
    expect(editEnvFile("K='old'\n", [{ op: 'set', name: 'K', value: "it's" }])).toBe('K="it\'s"\n');
  });

  it.each([
    ['plain-1.0:x@y', 'K=plain-1.0:x@y'],
    ['', 'K='],
    ['has space', "K='has space'"],
    ['a#b', "K='a#b'"],
    ['$HOME and ${X}', "K='$HOME and ${X}'"],
    ['say "hi"', `K='say "hi"'`],
    ["it's $5", `K="it's \\$5"`],
    ['back\\slash', 'K="back\\\\slash"'],
    ['line1\nline2', 'K="line1\\nline2"'],
    ['cr\r', 'K="cr\\r"'],
    ['ünïcödé 😀', "K='ünïcödé 😀'"],
  ])('writes %j so compose reads it back exactly', (value, line) => {
    const after = editEnvFile('', [{ op: 'set', name: 'K', value }]);
    expect(after).toBe(`${line}\n`);
    expect(read(after).get('K')).toBe(value);
  });

  it('keeps a quoted value quoted, so a comment after a tab stays a comment', () => {
    // Bare, "V=new\t# c" would read as "new\t# c": compose only cuts at " #".
    const after = editEnvFile('V="old"\t# c\n', [{ op: 'set', name: 'V', value: 'new' }]);
    expect(after).toBe('V="new"\t# c\n');
    expect(read(after).get('V')).toBe('new');
  });

  it('quotes an empty value that a kept comment would otherwise become', () => {
    const after = editEnvFile('V=old # note\n', [{ op: 'set', name: 'V', value: '' }]);
    expect(after).toBe('V="" # note\n');
    expect(read(after).get('V')).toBe('');
  });

  it('rewrites the last definition, the one compose uses', () => {
    expect(editEnvFile('V=1\nV=2\n', [{ op: 'set', name: 'V', value: '3' }])).toBe('V=1\nV=3\n');
  });

  it('gives a bare NAME line its value in place', () => {
    expect(editEnvFile('A=1\nexport V\nB=2\n', [{ op: 'set', name: 'V', value: 'x y' }])).toBe(
      "A=1\nexport V='x y'\nB=2\n",
    );
  });

  it('appends a new variable with the file’s line ends, adding a missing final line break', () => {
    expect(editEnvFile('A=1', [{ op: 'set', name: 'NEW', value: 'v' }])).toBe('A=1\nNEW=v\n');
    expect(editEnvFile('A=1\r\nB=2\r\n', [{ op: 'set', name: 'NEW', value: 'v' }])).toBe(
      'A=1\r\nB=2\r\nNEW=v\r\n',
    );
    expect(editEnvFile('', [{ op: 'set', name: 'NEW', value: 'v' }])).toBe('NEW=v\n');
  });

  it('leaves the file untouched when the value is already the same', () => {
    const text = 'V="same"   # c\n';
    expect(editEnvFile(text, [{ op: 'set', name: 'V', value: 'same' }])).toBe(text);
  });

  it('refuses a value no environment variable can hold, changing nothing', () => {
    expect(() => editEnvFile('A=1\n', [{ op: 'set', name: 'A', value: 'a\0b' }])).toThrow(/NUL character/);
    expect(() => quoteEnvValue('\uD800x')).toThrow(InvalidInputError);
  });

  it.each(['1ABC', 'MY-VAR', 'A B', '', 'X=Y', 'ÄB'])('refuses the name %j', (name) => {
    expect(() => editEnvFile('A=1\n', [{ op: 'set', name, value: 'v' }])).toThrow(InvalidInputError);
  });
});

describe('editEnvFile: rename', () => {
  it('moves the value to the new name in place and comments out the old line', () => {
    const after = editEnvFile(ENV_FILE, [
      { op: 'rename', from: 'AWS_REGION', to: 'STORAGE_REGION', keep: 'comment' },
    ]);
    const lines = after.split('\n');
    const at = lines.indexOf('STORAGE_REGION=eu-west-1  # storage region');
    expect(lines[at - 1]).toBe(
      '# AWS_REGION=eu-west-1  # storage region  (renamed to STORAGE_REGION by engram-upgrade)',
    );
    expect(at).toBe(17);
    expect(read(after).get('STORAGE_REGION')).toBe('eu-west-1');
    expect(read(after).has('AWS_REGION')).toBe(false);
    // Every other line is as it was.
    expect(after.replace(`${lines[at - 1]}\n${lines[at]}\n`, '')).toBe(
      ENV_FILE.replace('AWS_REGION=eu-west-1  # storage region\n', ''),
    );
  });

  it('can remove the old line instead, keeping quoting and export', () => {
    const before = "A=1\nexport REGISTRATION_ENABLED='true' # old\nB=2\n";
    expect(
      editEnvFile(before, [
        {
          op: 'rename',
          from: 'REGISTRATION_ENABLED',
          to: 'ENGRAM_DEFAULT_REGISTRATION_MODE',
          keep: 'remove',
        },
      ]),
    ).toBe("A=1\nexport ENGRAM_DEFAULT_REGISTRATION_MODE='true' # old\nB=2\n");
  });

  it('comments out every line of a value that spans several, and earlier dead definitions too', () => {
    const before = 'OLD=first\nOLD="multi\nline"\nKEEP=1\n';
    const after = editEnvFile(before, [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'comment' }]);
    expect(after).toBe(
      [
        '# OLD=first  (renamed to NEW by engram-upgrade)',
        '# OLD="multi',
        '# line"  (renamed to NEW by engram-upgrade)',
        'NEW="multi',
        'line"',
        'KEEP=1',
        '',
      ].join('\n'),
    );
    expect(read(after).get('NEW')).toBe('multi\nline');
  });

  it('does nothing when the old name is not set', () => {
    expect(editEnvFile('A=1\n', [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'comment' }])).toBe('A=1\n');
  });

  it('only retires the old line when the new name already has the same value', () => {
    expect(editEnvFile('OLD=x\nNEW=x\n', [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'remove' }])).toBe(
      'NEW=x\n',
    );
  });

  it('refuses, changing nothing, when both names hold different values', () => {
    const error = (() => {
      try {
        editEnvFile('OLD=x\nNEW=y\n', [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'comment' }]);
      } catch (e) {
        return e as UpgradeError;
      }
    })();
    expect(error?.code).toBe('COMPOSE_EDIT');
    expect(error?.message).toMatch(/both OLD \(line 1\) and NEW \(line 2\) to different values/);
    expect(error?.unchanged).toBe('.env was not changed');
  });

  it('refuses a rename that would change another variable that refers to the old name', () => {
    expect(() =>
      editEnvFile('OLD=x\nURL=http://${OLD}/\n', [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'comment' }]),
    ).toThrow(/would change the value of another variable/);
  });

  it('re-quotes the value when the text as written would read differently under the new name', () => {
    // The value refers to the name being renamed: moved as written, it would read as empty.
    const after = editEnvFile('BASE=b\nOLD=${BASE}-x\n', [
      { op: 'rename', from: 'OLD', to: 'BASE2', keep: 'remove' },
    ]);
    expect(read(after).get('BASE2')).toBe('b-x');
  });

  it('refuses to move a value compose takes from the shell', () => {
    expect(() => editEnvFile('OLD\n', [{ op: 'rename', from: 'OLD', to: 'NEW', keep: 'comment' }])).toThrow(
      /takes it from the shell environment/,
    );
  });

  it('refuses renaming a name to itself', () => {
    expect(() => editEnvFile('A=1\n', [{ op: 'rename', from: 'A', to: 'A', keep: 'comment' }])).toThrow(
      InvalidInputError,
    );
  });
});

describe('editEnvFile: unset and sequences', () => {
  it('removes every definition and nothing else', () => {
    expect(editEnvFile('# c\nV=1\nA=2\nV=3\n', [{ op: 'unset', name: 'V' }])).toBe('# c\nA=2\n');
    expect(editEnvFile('A=2\n', [{ op: 'unset', name: 'V' }])).toBe('A=2\n');
  });

  it('applies edits in order: a rename then a set of the new name', () => {
    const after = editEnvFile('S3_HOST=minio\n', [
      { op: 'rename', from: 'S3_HOST', to: 'STORAGE_HOST', keep: 'remove' },
      { op: 'set', name: 'STORAGE_HOST', value: 'minio.internal' },
      { op: 'set', name: 'ENCRYPTION_MASTER_KEY', value: 'k+ey/==' },
    ]);
    expect(after).toBe('STORAGE_HOST=minio.internal\nENCRYPTION_MASTER_KEY=k+ey/==\n');
  });

  it('refuses an edit of an unknown kind', () => {
    expect(() => editEnvFile('A=1\n', [{ op: 'drop', name: 'A' } as never])).toThrow(InvalidInputError);
  });
});

// How a Windows service's command line travels, modelled from the documented rules, to test what
// dropwise writes into a WinSW definition without a Windows machine:
// - WinSW 1.17 (bundled with node-windows) joins the <argument> elements: each is prefixed by a space;
//   one already starting and ending with a double quote is kept as is, one containing a space is
//   wrapped in double quotes (nothing escaped), others are kept; %NAME% is expanded in each.
// - .NET's Process.Start puts the executable first, double-quoted, then a space and the arguments.
// - node reads its argv with the Microsoft C runtime's rules (the same as CommandLineToArgvW for what
//   dropwise produces): Microsoft's "Parsing C command-line arguments".

/** WinSW's AppendTags for <argument> (environment expansion left out: dropwise refuses "%"). */
export function winswArguments(elements: string[]): string {
  let out = '';
  for (const token of elements) {
    if (token.includes('%')) throw new Error(`WinSW would expand environment variables in ${token}`);
    out += ' ';
    out += (token.startsWith('"') && token.endsWith('"')) || !token.includes(' ') ? token : `"${token}"`;
  }
  return out;
}

/** The command line .NET's Process.Start builds from FileName and Arguments. */
export function dotnetCommandLine(executable: string, args: string): string {
  const file = executable.trim();
  const quoted = file.startsWith('"') && file.endsWith('"') ? file : `"${file}"`;
  return args === '' ? quoted : `${quoted} ${args}`;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * The C runtime's split of a command line (Microsoft, "Parsing C command-line arguments"):
 * - argv[0], the program name: up to the first blank, or between double quotes; no escapes.
 * - Arguments are delimited by spaces or tabs outside double quotes; a quoted part may be embedded.
 * - 2n backslashes then a quote: n backslashes, and the quote opens or closes a quoted part.
 * - 2n+1 backslashes then a quote: n backslashes and a literal quote.
 * - Backslashes not followed by a quote are literal.
 * - Inside a quoted part, two double quotes give one literal quote (and the part goes on).
 * - A command line ending inside quotes ends the last argument there.
 */
export function splitWindowsCommandLine(line: string): string[] {
  const argv: string[] = [];
  let i = 0;
  let program = '';
  if (line[0] === '"') {
    i = 1;
    while (i < line.length && line[i] !== '"') program += line[i++];
    i++;
  } else {
    while (i < line.length && !isBlank(line[i])) program += line[i++];
  }
  argv.push(program);
  for (;;) {
    while (isBlank(line[i])) i++;
    if (i >= line.length) return argv;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || !isBlank(line[i]))) {
      const c = line[i] as string;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) {
            arg += '"';
            i++;
          }
        } else {
          arg += '\\'.repeat(n);
        }
      } else if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
      } else {
        arg += c;
        i++;
      }
    }
    argv.push(arg);
  }
}

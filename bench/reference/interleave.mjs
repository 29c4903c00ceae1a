// Runs a Python reference script as a child that answers one JSON line per request line, so a bench can alternate
// its own runs with the reference's under the same machine load.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts `/usr/bin/python3 script ...args`; `ask(line)` sends a request and resolves with the parsed answer. */
export function startReference(script, args) {
  const child = spawn('/usr/bin/python3', [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(request) {
      child.stdin.write(`${request}\n`);
      const { value, done } = await answers.next();
      if (done) throw new Error(`${script} exited before answering ${JSON.stringify(request)}`);
      return JSON.parse(value);
    },
    close() {
      child.stdin.end('quit\n');
    },
  };
}

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// `npm start` runs `php -S` through this guard: PHP cannot notice that the launcher is gone, and
// the workers PHP_CLI_SERVER_WORKERS forks outlive a signal to their master. The launcher starts
// the guard as a process-group leader with an IPC channel; PHP and its workers join that group.
// On SIGTERM/SIGINT, or when the channel closes (the launcher exited, even by SIGKILL), the guard
// signals the whole group; when PHP exits, whatever it left in the group is stopped too.
//   node scripts/php-guard.ts php -S 127.0.0.1:4200 router.php
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: node scripts/php-guard.ts <command> [arguments…]');
  process.exit(2);
}

let stopping = false;
/** SIGTERM to the guard's group: PHP, its workers, and the guard itself (which absorbs it). */
function stopGroup(): void {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-process.pid, 'SIGTERM');
  } catch {
    // not a group leader (run by hand): PHP alone
    php.kill('SIGTERM');
  }
}

const php = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
process.on('SIGTERM', stopGroup);
process.on('SIGINT', stopGroup);
if (typeof process.send === 'function') {
  if (process.connected) process.once('disconnect', stopGroup);
  else stopGroup();
}
php.once('error', (error) => {
  console.error(`php-guard: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
php.once('exit', (code, signal) => {
  stopGroup(); // PHP's workers, if PHP went without them
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});

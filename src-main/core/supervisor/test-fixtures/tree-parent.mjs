// A service with a helper: spawns a grandchild (an idle node) and prints its pid, then idles.
// Used by the Windows tests, where stopping the service must take the grandchild too.
import { spawn } from 'node:child_process';

const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
  stdio: 'ignore',
  windowsHide: true,
});
console.log(String(grandchild.pid));
setInterval(() => {}, 1000);

// Naming a port's holder from a proc tree built in a temp folder: the TCP table is read once per
// port, a port asked about again is answered from its socket still held, and not once it closes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SocketOwnerCache } from '../../../server/proc/socketOwners';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
/** One listening socket on 127.0.0.1:port with this inode, as /proc/net/tcp prints it. */
const row = (port: number, inode: number) =>
  `   0: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

test('a contested port is named from the table once, then from its socket while the holder keeps it', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-proc-'));
  fs.mkdirSync(path.join(root, 'net'));
  fs.mkdirSync(path.join(root, '4242', 'fd'), { recursive: true });
  fs.writeFileSync(path.join(root, '4242', 'cmdline'), 'node\0server.js\0');
  fs.symlinkSync('socket:[777]', path.join(root, '4242', 'fd', '5')); // readlink is all that is asked of it
  fs.writeFileSync(path.join(root, 'net', 'tcp'), HEADER + row(3000, 777));
  const owners = new SocketOwnerCache(root);

  assert.deepEqual(owners.holderOf(3000), { pid: 4242, command: 'node server.js' });
  assert.equal(owners.holderOf(3001), null);
  // The table is not read again for 3000: its socket is still held (here the table is gone).
  fs.rmSync(path.join(root, 'net', 'tcp'));
  assert.deepEqual(owners.holderOf(3000), { pid: 4242, command: 'node server.js' });
  // The holder closed it: the table is read again, and says who holds the port now.
  fs.rmSync(path.join(root, '4242', 'fd', '5'));
  fs.writeFileSync(path.join(root, 'net', 'tcp'), HEADER);
  assert.equal(owners.holderOf(3000), null);
  fs.rmSync(root, { recursive: true });
});

test('the pids a caller expects are looked in first; anyone else is still found when they do not hold it', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'manito-proc-'));
  fs.mkdirSync(path.join(root, 'net'));
  const proc = (pid: number, command: string, sockets: number[]) => {
    fs.mkdirSync(path.join(root, String(pid), 'fd'), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `${command}\0`);
    sockets.forEach((inode, fd) => fs.symlinkSync(`socket:[${inode}]`, path.join(root, String(pid), 'fd', String(fd + 3))));
  };
  // 777 is shared (a parent that forked its listener into a child): either process names it truly.
  proc(4242, 'parent', [777]);
  proc(5151, 'child', [777]);
  proc(6060, 'other', [888]);
  fs.writeFileSync(path.join(root, 'net', 'tcp'), HEADER + row(3000, 777) + row(3001, 888));

  assert.deepEqual(new SocketOwnerCache(root).holderOf(3000, undefined, [5151]), { pid: 5151, command: 'child' });
  assert.deepEqual(new SocketOwnerCache(root).holderOf(3000, undefined, [4242]), { pid: 4242, command: 'parent' });
  // A wrong guess (and a pid that does not exist) only costs a look: the walk goes on to the holder.
  assert.deepEqual(new SocketOwnerCache(root).holderOf(3001, undefined, [99999, 5151]), { pid: 6060, command: 'other' });
  fs.rmSync(root, { recursive: true });
});

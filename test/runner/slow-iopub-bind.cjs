// Test preload (NODE_OPTIONS=--require): a machine that binds the kernel's iopub socket slowly.
// While the bind of zeromq's Publisher is under way, send() throws what zeromq throws then
// (EBUSY "Socket is blocked by a bind or unbind operation"); the bind takes 400 ms longer.
// (Defined on the prototype: zeromq's native methods are read-only and its sockets sealed.)
const zmq = require(require.resolve('zeromq', { paths: [process.env.RNNKIT_TEST_TSLAB_DIR] }));
const proto = zmq.Publisher.prototype;
const { bind, send } = proto;
const binding = new WeakSet();
const define = (name, value) => Object.defineProperty(proto, name, { configurable: true, writable: true, value });
define('send', function (message) {
  if (binding.has(this)) throw Object.assign(new Error('Socket is blocked by a bind or unbind operation'), { code: 'EBUSY', errno: 16 });
  return send.call(this, message);
});
define('bind', async function (address) {
  binding.add(this);
  await new Promise((resolve) => setTimeout(resolve, 400));
  try {
    return await bind.call(this, address);
  } finally {
    binding.delete(this);
  }
});

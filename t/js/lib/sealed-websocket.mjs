// A WebSocket class for y-websocket's `WebSocketPolyfill` that seals what the provider
// sends and opens what it receives, so the provider itself never knows. The sealing
// format is the caller's (`seal`, `open`); without them messages pass in clear. `open`
// throwing counts as a failure and the message is dropped, as a real client would.
import WebSocket from 'ws';

export function sealedWebSocket({ seal = null, open = null, counts = {} } = {}) {
  counts.sent ??= 0;
  counts.received ??= 0;
  counts.openFailures ??= 0;
  return class SealedWebSocket extends WebSocket {
    send(data) {
      const plain = data instanceof Uint8Array ? data : new Uint8Array(data);
      counts.sent++;
      super.send(seal ? seal(plain) : plain);
    }

    set onmessage(fn) {
      super.onmessage = fn && ((event) => {
        counts.received++;
        if (!open) return fn(event);
        let plain;
        try {
          plain = open(new Uint8Array(event.data));
        } catch {
          counts.openFailures++;
          return;
        }
        fn({ data: plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength) });
      });
    }

    get onmessage() {
      return super.onmessage;
    }
  };
}

// Resolves true once cond() holds, false after ms.
export function until(cond, ms = 10000) {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      if (cond()) return resolve(true);
      if (Date.now() - start > ms) return resolve(false);
      setTimeout(tick, 20);
    };
    tick();
  });
}

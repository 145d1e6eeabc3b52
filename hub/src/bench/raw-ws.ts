import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client over a TCP socket, for the benchmark's thousands of terminals: it walks
 * frame headers in place (no per-frame copies unless a handler asks) so the client side stays cheap
 * and the server is what gets measured. Answers pings; sends masked binary frames.
 */
export interface RawWs {
  socket: Socket;
  send(payload: Uint8Array): void;
  close(): void;
}

export interface RawWsHandlers {
  /** a complete binary/text message at buf[start..end); only valid during the call (no copy is made) */
  message(buf: Buffer, start: number, end: number): void;
  closed(code: number): void;
}

export function connectRaw(port: number, protocols: string[], handlers: RawWsHandlers): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const key = randomBytes(16).toString('base64');
    let upgraded = false;
    let pending: Buffer | undefined;
    let closed = false;
    const finish = (code: number) => {
      if (closed) return;
      closed = true;
      socket.destroy();
      if (upgraded) handlers.closed(code);
      else reject(new Error(`upgrade failed (${code})`));
    };
    const ws: RawWs = {
      socket,
      send: (payload) => socket.write(maskedFrame(0x2, payload)),
      close: () => {
        if (!closed) socket.end(maskedFrame(0x8, Buffer.from([0x03, 0xe8])));
      },
    };
    socket.once('connect', () => {
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocols.join(', ')}\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          pending = buf;
          return;
        }
        if (!buf.subarray(0, 12).toString().includes(' 101')) return finish(0);
        upgraded = true;
        resolve(ws);
        buf = buf.subarray(end + 4);
      }
      let offset = 0;
      while (buf.length - offset >= 2) {
        const opcode = buf[offset]! & 0x0f;
        let length = buf[offset + 1]! & 0x7f;
        let header = 2;
        if (length === 126) {
          if (buf.length - offset < 4) break;
          length = buf.readUInt16BE(offset + 2);
          header = 4;
        } else if (length === 127) {
          if (buf.length - offset < 10) break;
          length = Number(buf.readBigUInt64BE(offset + 2));
          header = 10;
        }
        if (buf.length - offset < header + length) break;
        const start = offset + header;
        const end = start + length;
        offset = end;
        if (opcode === 0x1 || opcode === 0x2) handlers.message(buf, start, end);
        else if (opcode === 0x9) socket.write(maskedFrame(0xa, buf.subarray(start, end)));
        else if (opcode === 0x8) return finish(length >= 2 ? buf.readUInt16BE(start) : 1005);
      }
      if (offset < buf.length) pending = Buffer.from(buf.subarray(offset));
    });
    socket.on('error', () => finish(1006));
    socket.on('close', () => finish(1006));
  });
}

function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

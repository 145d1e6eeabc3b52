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
    /** Handles the complete frames in buf[offset..]; returns where an incomplete one starts, or -1 after a close. */
    const parse = (buf: Buffer, offset: number): number => {
      while (buf.length - offset >= 2) {
        const total = frameTotal(buf, offset);
        if (total < 0 || buf.length - offset < total) break;
        const opcode = buf[offset]! & 0x0f;
        const length = buf[offset + 1]! & 0x7f;
        const start = offset + (length === 126 ? 4 : length === 127 ? 10 : 2);
        const end = offset + total;
        offset = end;
        if (opcode === 0x1 || opcode === 0x2) handlers.message(buf, start, end);
        else if (opcode === 0x9) socket.write(maskedFrame(0xa, buf.subarray(start, end)));
        else if (opcode === 0x8) {
          finish(end - start >= 2 ? buf.readUInt16BE(start) : 1005);
          return -1;
        }
      }
      return offset;
    };
    socket.on('data', (chunk: Buffer) => {
      let buf = chunk;
      let offset = 0;
      if (!upgraded) {
        buf = pending ? Buffer.concat([pending, chunk]) : chunk;
        pending = undefined;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          pending = buf;
          return;
        }
        if (!buf.subarray(0, 12).toString().includes(' 101')) return finish(0);
        upgraded = true;
        resolve(ws);
        offset = end + 4;
      } else if (pending) {
        // finish the frame that straddled reads by copying only its own missing bytes, never the whole read
        const head = pending.length >= 10 ? pending : Buffer.concat([pending, chunk.subarray(0, 10)]);
        const total = frameTotal(head, 0);
        const missing = total < 0 ? -1 : total - pending.length;
        if (missing < 0 || missing > chunk.length) {
          pending = Buffer.concat([pending, chunk]);
          return;
        }
        const frame = Buffer.concat([pending, chunk.subarray(0, missing)]);
        pending = undefined;
        if (parse(frame, 0) < 0) return;
        offset = missing;
      }
      const rest = parse(buf, offset);
      if (rest >= 0 && rest < buf.length) pending = Buffer.from(buf.subarray(rest));
    });
    socket.on('error', () => finish(1006));
    socket.on('close', () => finish(1006));
  });
}

/** Header + payload size of the frame at buf[offset], or -1 if its header is not complete yet. */
function frameTotal(buf: Buffer, offset: number): number {
  if (buf.length - offset < 2) return -1;
  const length = buf[offset + 1]! & 0x7f;
  if (length < 126) return 2 + length;
  if (length === 126) return buf.length - offset < 4 ? -1 : 4 + buf.readUInt16BE(offset + 2);
  return buf.length - offset < 10 ? -1 : 10 + Number(buf.readBigUInt64BE(offset + 2));
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

/**
 * The Jupyter messaging protocol (v5.3) on the wire: message headers, HMAC-SHA256 signatures, and
 * the multipart frames `[identities..., '<IDS|MSG>', signature, header, parent, metadata, content,
 * buffers...]`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = Buffer.from('<IDS|MSG>');

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** The connection file a kernel is started with. */
export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name?: string;
}

export function newMessage<C>(msgType: string, content: C, session: string): JupyterMessage<C> {
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: 'rnnkit-runner',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

/** HMAC-SHA256 of the four JSON frames (hex); an empty key disables signing. */
export function sign(key: string, frames: readonly (Buffer | string)[]): string {
  if (!key) return '';
  const hmac = createHmac('sha256', key);
  for (const f of frames) hmac.update(f);
  return hmac.digest('hex');
}

/** The frames to send on a DEALER socket (no routing identities). */
export function serialize(msg: JupyterMessage<unknown>, key: string): Buffer[] {
  const frames = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [DELIMITER, Buffer.from(sign(key, frames)), ...frames, ...msg.buffers];
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Parses and verifies a received multipart message; throws ProtocolError on a bad one. */
export function deserialize(parts: readonly Buffer[], key: string): JupyterMessage {
  const d = parts.findIndex((p) => p.equals(DELIMITER));
  if (d < 0) throw new ProtocolError('message without the <IDS|MSG> delimiter');
  if (parts.length < d + 6) throw new ProtocolError(`message with ${parts.length - d - 1} frames after the delimiter (need 5)`);
  const signature = parts[d + 1]!.toString();
  const frames = parts.slice(d + 2, d + 6);
  if (key) {
    const want = Buffer.from(sign(key, frames));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) {
      throw new ProtocolError('message with an invalid HMAC signature');
    }
  }
  const [header, parent, metadata, content] = frames.map((f) => JSON.parse(f.toString('utf8')) as unknown);
  return {
    header: header as MessageHeader,
    parent_header: (parent ?? {}) as Partial<MessageHeader>,
    metadata: (metadata ?? {}) as Record<string, unknown>,
    content: (content ?? {}) as Record<string, unknown>,
    buffers: parts.slice(d + 6),
  };
}

import * as fs from 'node:fs/promises';
import * as net from 'node:net';

/** OpenSSH's AGENT_MAX_LEN: a bigger message ends the connection. */
const MAX_MESSAGE = 256 * 1024;
/** The requests a build may make (BuildKit's readOnlyAgent): list identities, sign. */
const ALLOWED = new Set([11, 13]);
const FAILURE = Buffer.from([0, 0, 0, 1, 5]);

/** Whole agent-protocol messages (uint32 length, then that many bytes) from a socket, one at a time. */
class MessageReader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    sock.on('end', end);
    sock.on('close', end);
    sock.on('error', end);
  }

  /** The next message (length prefix included), or undefined at the end or on an oversized one. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.buf.length >= 4) {
        const len = this.buf.readUInt32BE(0);
        if (len > MAX_MESSAGE) return undefined;
        if (this.buf.length >= 4 + len) {
          const msg = this.buf.subarray(0, 4 + len);
          this.buf = this.buf.subarray(4 + len);
          return msg;
        }
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

async function serve(client: net.Socket, upstreamPath: string): Promise<void> {
  const requests = new MessageReader(client);
  let upstream: { sock: net.Socket; replies: MessageReader } | undefined;
  try {
    for (;;) {
      const req = await requests.next();
      if (req === undefined) return;
      if (req.length < 5 || !ALLOWED.has(req[4]!)) {
        client.write(FAILURE);
        continue;
      }
      if (upstream === undefined) {
        const sock = net.connect(upstreamPath);
        await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
        upstream = { sock, replies: new MessageReader(sock) };
      }
      upstream.sock.write(req);
      const reply = await upstream.replies.next();
      if (reply === undefined) return;
      client.write(reply);
    }
  } catch {
    // the agent went away: the client sees its connection end
  } finally {
    upstream?.sock.destroy();
    client.end();
  }
}

export interface AgentProxy {
  close(): Promise<void>;
}

/**
 * A read-only ssh-agent at `socketPath` (mode, uid, gid as the mount asks)
 * that forwards each connection to the agent at `upstreamPath`, passing only
 * "list identities" and "sign" and answering every other request (add or
 * remove keys, lock, extensions) with failure, as BuildKit's sshforward does.
 */
export async function startAgentProxy(upstreamPath: string, socketPath: string, owner: { mode: number; uid: number; gid: number }): Promise<AgentProxy> {
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    void serve(client, upstreamPath);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  await fs.chown(socketPath, owner.uid, owner.gid);
  await fs.chmod(socketPath, owner.mode);
  return {
    close: async () => {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.rm(socketPath, { force: true });
    },
  };
}

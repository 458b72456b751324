import type { Readable } from 'node:stream';
import { RegistryError, throwIfAborted } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { digestOf, parseDigest, type Digest } from '../oci/digest';
import { MANIFEST_MAX_BYTES, readCapped } from '../stream/read-capped';
import { VerifyStream } from '../stream/verify-stream';
import { AuthSession } from './auth/with-auth';
import { repositoryScope } from './auth/challenge';
import { dockerConfigCredentials } from './auth/docker-config';
import type { CredentialSource } from './auth/credentials';
import type { BlobOpener } from './push/blob-source';
import { mountBlob, pushBlob, type PushBlobOptions, type PushBlobResult } from './push/push-blob';
import { bareMediaType, MANIFEST_ACCEPT_ANY, mediaTypeOfDocument } from './manifest-accept';
import { emitter, type ProgressListener } from '../progress';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './transport/backoff';
import { apiHost, candidateSchemes, isLoopbackHost, isNotTlsError, tlsFor, type EndpointOptions } from './transport/endpoint';
import { HttpTransport } from './transport/http-send';
import { errorFromResponse } from './transport/response-error';
import { compose, discard, header, type RegistryRequest, type RegistryResponse, type Send } from './transport/types';
import { withLogging, type DebugLogger } from './transport/with-logging';
import { withRedirect } from './transport/with-redirect';
import { withRetry } from './transport/with-retry';

export interface RegistryClientOptions extends EndpointOptions {
  /** where credentials come from (default ~/.docker/config.json) */
  credentials?: CredentialSource;
  retry?: Partial<BackoffPolicy>;
  /** --debug: one redacted line per HTTP exchange and per retry */
  debug?: DebugLogger;
  /** receives `retry` events (and whatever else the client reports) */
  onProgress?: ProgressListener;
  /** keep-alive connections per origin (default 8) */
  connections?: number;
  bodyTimeoutMs?: number;
  userAgent?: string;
}

/** A manifest as fetched: its descriptor (digest verified) and its raw bytes. */
export interface FetchedManifest {
  descriptor: Descriptor;
  raw: Buffer;
}

/** A blob GET: the response body from `offset` on (206), or from 0 (200). */
export interface BlobResponse {
  body: Readable;
  offset: number;
}

/** tag or digest */
export type ManifestReference = string;

const USER_AGENT = 'hoist/0.1';

/** how long a loopback registry may take to answer the plain-HTTP probe before TLS is tried */
const PLAIN_PROBE_MS = 2000;

/** blobs pulled or pushed at once unless told otherwise */
export const DEFAULT_MAX_CONCURRENT = 4;

/**
 * One client per registry host: a keep-alive pool, an auth session (token
 * cache), and the distribution API as plain methods. Upload steps live in
 * `blob-upload.ts`, pull and push orchestration in `pull-image.ts` /
 * `push-image.ts`.
 *
 * Lifecycle: `RegistryClient.create(host)` picks the scheme (https; http for
 * loopback/insecure registries that do not speak TLS), then any number of
 * calls, then `close()`. `host` is the registry's name as references and
 * credentials give it (`docker.io`); requests go to its API host
 * (`registry-1.docker.io` for Docker Hub: `apiHost`).
 */
export class RegistryClient {
  readonly send: Send;
  readonly policy: BackoffPolicy;
  readonly emit: ProgressListener;
  private readonly pushRepos = new Set<string>();

  private constructor(
    readonly host: string,
    readonly baseUrl: URL,
    private readonly http: HttpTransport,
    readonly options: RegistryClientOptions,
  ) {
    this.policy = { ...DEFAULT_BACKOFF, ...options.retry };
    this.emit = emitter(options.onProgress);
    const retry = withRetry({
      policy: this.policy,
      onRetry: (n) => {
        options.debug?.(`retry ${n.attempt}/${n.maxAttempts - 1} in ${n.delayMs} ms: ${n.method} ${n.url}: ${n.reason}`);
        this.emit({ type: 'retry', attempt: n.attempt, maxAttempts: n.maxAttempts, delayMs: n.delayMs, reason: n.reason, what: `${n.method} ${new URL(n.url).pathname}` });
      },
    });
    const log = withLogging(options.debug);
    const tokenSend = compose(http.send, retry, log);
    const auth = new AuthSession({
      host,
      origins: [baseUrl.origin],
      credentials: options.credentials ?? dockerConfigCredentials(options.env ? { env: options.env } : {}),
      tokenSend,
      ...(options.debug ? { onToken: (t: { scopes: string[] }) => options.debug!(`token fetched for scopes [${t.scopes.join(' ')}]`) } : {}),
    });
    this.send = compose(http.send, retry, withRedirect(), auth.wrap, log);
  }

  static async create(host: string, options: RegistryClientOptions = {}): Promise<RegistryClient> {
    const api = apiHost(host);
    const schemes = candidateSchemes(api, options);
    const transport = (scheme: 'http' | 'https'): HttpTransport =>
      new HttpTransport([`${scheme}://${api}`], {
        ...(scheme === 'https' ? { tls: tlsFor(api, options) } : {}),
        ...(options.connections !== undefined ? { connections: options.connections } : {}),
        ...(options.bodyTimeoutMs !== undefined ? { bodyTimeoutMs: options.bodyTimeoutMs } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    const ping = (http: HttpTransport, base: URL, signal?: AbortSignal) =>
      http.send({ method: 'GET', url: new URL('/v2/', base), headers: { 'user-agent': options.userAgent ?? USER_AGENT }, ...(signal ? { signal } : {}) });
    if (schemes.length > 1 && isLoopbackHost(api)) {
      // a loopback registry is asked in plain HTTP first: only a registry's own answer to
      // GET /v2/ (200, or 401 with its challenge) settles it, anything else goes on as docker
      // does (TLS, then plain HTTP). A TLS handshake costs 6-40 ms of CPU (node's root store),
      // and the probe's connection stays in the pool for the first real request (docs/push.md).
      const base = new URL(`http://${api}/`);
      const http = transport('http');
      try {
        const res = await ping(http, base, AbortSignal.timeout(PLAIN_PROBE_MS));
        discard(res);
        if (res.status === 200 || res.status === 401) return new RegistryClient(host, base, http, options);
      } catch {
        /* not HTTP (a TLS port), or not answering: go on */
      }
      await http.close();
    }
    let lastErr: unknown;
    for (const scheme of schemes) {
      const base = new URL(`${scheme}://${api}/`);
      const http = transport(scheme);
      // the last candidate needs no probe: it is what is left (plain HTTP after the TLS
      // handshake was answered in plain text); its first real request says the rest
      if (scheme === schemes[schemes.length - 1]) return new RegistryClient(host, base, http, options);
      try {
        discard(await ping(http, base));
        return new RegistryClient(host, base, http, options);
      } catch (err) {
        await http.close();
        lastErr = err;
        if (scheme === 'https' && isNotTlsError(err)) continue;
        throw err;
      }
    }
    throw lastErr;
  }

  /** Push operations ask for pull,push tokens for `repository` from here on. */
  declarePush(repository: string): void {
    this.pushRepos.add(repository);
  }

  scopesFor(repository: string, extra: string[] = []): string[] {
    return [repositoryScope(repository, this.pushRepos.has(repository) ? ['pull', 'push'] : ['pull']), ...extra];
  }

  url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  /** Send a request to this registry with scopes and user agent set. */
  request(req: Omit<RegistryRequest, 'scopes'> & { repository?: string; extraScopes?: string[] }): Promise<RegistryResponse> {
    const { repository, extraScopes, ...rest } = req;
    return this.send({
      ...rest,
      headers: { 'user-agent': this.options.userAgent ?? USER_AGENT, ...(rest.headers ?? {}) },
      scopes: repository !== undefined ? this.scopesFor(repository, extraScopes) : (extraScopes ?? []),
    });
  }

  /** GET /v2/: checks reachability and credentials (login). */
  async ping(signal?: AbortSignal): Promise<void> {
    const res = await this.request({ method: 'GET', url: this.url('/v2/'), ...(signal ? { signal } : {}) });
    if (res.status === 200) return discard(res);
    throw await errorFromResponse(res, { action: `check ${this.host}` });
  }

  /** HEAD a manifest: its descriptor without its bytes (falls back to GET). */
  async resolve(repository: string, reference: ManifestReference, signal?: AbortSignal): Promise<Descriptor> {
    const url = this.url(`/v2/${repository}/manifests/${reference}`);
    const res = await this.request({ method: 'HEAD', url, repository, headers: { accept: MANIFEST_ACCEPT_ANY }, ...(signal ? { signal } : {}) });
    discard(res);
    const digestHeader = header(res, 'docker-content-digest');
    const size = Number(header(res, 'content-length'));
    const mediaType = bareMediaType(header(res, 'content-type'));
    if (res.status === 200 && digestHeader !== undefined && Number.isSafeInteger(size) && mediaType !== undefined && mediaType !== 'application/json') {
      const digest = parseDigest(digestHeader);
      if (reference.includes(':') && digest !== reference) throw this.mismatch(repository, reference as Digest, digest);
      return { mediaType, digest, size };
    }
    if (res.status === 404) {
      throw new RegistryError('REGISTRY_MANIFEST_UNKNOWN', `manifest ${reference} not found in ${this.host}/${repository}`, { repository, reference });
    }
    return (await this.getManifest(repository, reference, signal)).descriptor;
  }

  /** GET a manifest (any of the four types, or an unknown one: kept), size-capped and digest-checked. */
  async getManifest(repository: string, reference: ManifestReference, signal?: AbortSignal): Promise<FetchedManifest> {
    const url = this.url(`/v2/${repository}/manifests/${reference}`);
    const res = await this.request({ method: 'GET', url, repository, headers: { accept: MANIFEST_ACCEPT_ANY }, ...(signal ? { signal } : {}) });
    if (res.status !== 200) throw await errorFromResponse(res, { action: `get manifest ${reference}`, repository, notFoundCode: 'REGISTRY_MANIFEST_UNKNOWN' });
    const raw = await readCapped(res.body, MANIFEST_MAX_BYTES, `manifest ${reference}`);
    const digest = digestOf(raw);
    const claimed = header(res, 'docker-content-digest');
    if (reference.includes(':') && digest !== reference) throw this.mismatch(repository, reference as Digest, digest);
    if (!reference.includes(':') && claimed !== undefined && claimed.startsWith('sha256:') && claimed !== digest) {
      throw this.mismatch(repository, claimed as Digest, digest);
    }
    const contentType = bareMediaType(header(res, 'content-type'));
    const mediaType = contentType !== undefined && contentType !== 'application/json' && contentType !== 'text/plain' ? contentType : (mediaTypeOfDocument(raw) ?? contentType ?? 'application/octet-stream');
    return { descriptor: { mediaType, digest, size: raw.length }, raw };
  }

  private mismatch(repository: string, expected: Digest, found: Digest): RegistryError {
    return new RegistryError('REGISTRY_DIGEST_MISMATCH', `${this.host}/${repository}: content does not match its digest: expected ${expected}, found ${found}`, {
      repository,
      expected,
      found,
    });
  }

  /** Does the repository have the manifest? (HEAD) */
  async hasManifest(repository: string, reference: ManifestReference, signal?: AbortSignal): Promise<boolean> {
    const res = await this.request({ method: 'HEAD', url: this.url(`/v2/${repository}/manifests/${reference}`), repository, headers: { accept: MANIFEST_ACCEPT_ANY }, ...(signal ? { signal } : {}) });
    discard(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await errorFromResponse(res, { action: `check manifest ${reference}`, repository });
  }

  /** Push a blob: HEAD, mount from `mountFrom`, upload (see push-blob.ts). */
  pushBlob(repository: string, desc: Descriptor, open: BlobOpener, options?: PushBlobOptions): Promise<PushBlobResult> {
    return pushBlob(this, repository, desc, open, options);
  }

  /** Cross-repository mount alone: true when mounted. */
  mountBlob(repository: string, desc: Descriptor, from: string, signal?: AbortSignal): Promise<boolean> {
    return mountBlob(this, repository, desc, from, signal);
  }

  /** Does the repository have the blob? (HEAD; a size mismatch counts as absent) */
  async hasBlob(repository: string, desc: Pick<Descriptor, 'digest'> & { size?: number }, signal?: AbortSignal): Promise<boolean> {
    const res = await this.request({ method: 'HEAD', url: this.url(`/v2/${repository}/blobs/${desc.digest}`), repository, ...(signal ? { signal } : {}) });
    discard(res);
    if (res.status === 200) {
      const len = header(res, 'content-length');
      return desc.size === undefined || len === undefined || Number(len) === desc.size;
    }
    if (res.status === 404) return false;
    throw await errorFromResponse(res, { action: `check blob ${desc.digest}`, repository });
  }

  /**
   * GET a blob from `offset` (Range when > 0). The body is raw: callers hash
   * it (the pull writes it through the store's verifying writer). `offset` in
   * the result is 0 when the registry ignored the Range.
   */
  async fetchBlob(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>, options: { offset?: number; signal?: AbortSignal } = {}): Promise<BlobResponse> {
    throwIfAborted(options.signal);
    const offset = options.offset ?? 0;
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const res = await this.request({
      method: 'GET',
      url: this.url(`/v2/${repository}/blobs/${desc.digest}`),
      repository,
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (offset > 0 && res.status === 206) {
      const range = /^bytes (\d+)-/.exec(header(res, 'content-range') ?? '');
      if (range !== null && Number(range[1]) === offset) return { body: res.body, offset };
      discard(res);
      throw new RegistryError('REGISTRY_PROTOCOL', `blob ${desc.digest}: the registry answered a range request with another range`, { repository, digest: desc.digest });
    }
    if (res.status === 200) return { body: res.body, offset: 0 };
    throw await errorFromResponse(res, { action: `get blob ${desc.digest}`, repository, notFoundCode: 'REGISTRY_BLOB_UNKNOWN' });
  }

  /** A Readable of the blob that fails with CONTENT_DIGEST_MISMATCH / SIZE_MISMATCH at the end. */
  async openBlob(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>, signal?: AbortSignal): Promise<Readable> {
    const { body } = await this.fetchBlob(repository, desc, signal ? { signal } : {});
    const verify = new VerifyStream({ digest: desc.digest, size: desc.size });
    body.on('error', (err) => verify.destroy(err));
    return body.pipe(verify);
  }

  /** PUT a manifest by tag or digest with its media type; returns the digest the registry reports. */
  async putManifest(repository: string, reference: ManifestReference, raw: Buffer, mediaType: string, signal?: AbortSignal): Promise<Digest> {
    const url = this.url(`/v2/${repository}/manifests/${reference}`);
    const res = await this.request({
      method: 'PUT',
      url,
      repository,
      headers: { 'content-type': mediaType, 'content-length': String(raw.length) },
      body: raw,
      ...(signal ? { signal } : {}),
    });
    if (res.status !== 201 && res.status !== 200) throw await errorFromResponse(res, { action: `put manifest ${reference}`, repository });
    discard(res);
    const digest = digestOf(raw);
    const said = header(res, 'docker-content-digest');
    if (said !== undefined && said.startsWith('sha256:') && said !== digest) throw this.mismatch(repository, digest, said as Digest);
    return digest;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

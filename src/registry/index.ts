export { RegistryClient, DEFAULT_MAX_CONCURRENT, type RegistryClientOptions, type FetchedManifest, type BlobResponse, type ManifestReference } from './registry-client';
export { pullImage, type PullOptions, type PullResult } from './pull/pull-image';
export { openSource, type OpenSourceOptions, type OpenedSource } from './pull/open-source';
export { fetchImageConfig, type FetchImageConfigOptions, type FetchedImageConfig } from './pull/fetch-image-config';
export { pullSources, findRegistry, type MirrorSettings, type PullSource } from './mirrors/pull-sources';
export { loadRegistriesConf, readRegistriesConf, type RegistryEntry, type MirrorEndpoint } from './mirrors/registries-conf';
export { dockerRegistryMirrors } from './mirrors/docker-daemon-mirrors';
export { pushImage, findStoreImage, type PushOptions, type PushResult } from './push/push-image';
export { pushBlob, mountBlob, type PushBlobOptions, type PushBlobResult } from './push/push-blob';
export { downloadBlob, type DownloadResult } from './pull/download-blob';
export { selectPlatform } from './pull/select-platform';
export { mountSourcesFor } from './push/mount-sources';
export { type LayerCompressor } from './push/layer-compressor';
export { type BlobOpener, type BlobOpenerAt } from './push/blob-source';
export { login, logout, normalizeRegistryHost, type LoginOptions } from './login-registry';
export { type ProgressEvent, type ProgressListener } from '../progress';
export { MANIFEST_ACCEPT } from './manifest-accept';
export { type Credentials, type CredentialSource } from './auth/credentials';
export {
  dockerConfigCredentials,
  staticCredentials,
  dockerConfigPath,
  readDockerConfig,
  writeDockerConfig,
  type DockerConfig,
  type DockerConfigOptions,
} from './auth/docker-config';
export { storeCredentials, eraseCredentials } from './auth/login';
export { parseChallenges, type Challenge } from './auth/challenge';
export { compose, type Send, type SendWrapper, type RegistryRequest, type RegistryResponse } from './transport/types';
export { DEFAULT_BACKOFF, type BackoffPolicy } from './transport/backoff';
export { type DebugLogger } from './transport/with-logging';
export { redactUrl } from './transport/redact';

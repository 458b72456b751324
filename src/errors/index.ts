export { ERROR_KINDS, type ErrorKind } from './kinds';
export { CODES, type ErrorCode, type CodeInfo } from './codes';
export {
  HoistError,
  OciError,
  StreamError,
  StoreError,
  ImageError,
  DockerfileError,
  LayerError,
  SnapshotError,
  RegistryError,
  RuntimeError,
  BuildError,
  ConvertError,
  UsageError,
  isHoistError,
  hasKind,
  isNotFound,
  isAlreadyExists,
  isErrno,
  throwIfAborted,
  type ErrorDetails,
} from './hoist-error';

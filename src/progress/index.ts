export { type ProgressEvent, type ProgressListener, type TransferEvent, type BuildEvent } from './events';
export { emitter, ProgressThrottle } from './emitter';
export { stepLogStream, DEFAULT_STEP_LOG_LIMIT, type StepLogOptions } from './step-log';

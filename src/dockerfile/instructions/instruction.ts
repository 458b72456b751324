import type {
  ArgDefinition,
  ChmodSpec,
  ChownSpec,
  CommandLine,
  Device,
  HealthConfig,
  HeredocSource,
  InstructionBase,
  KeyValuePair,
  Mount,
  SourceKind,
} from './types';

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** image reference, stage name or `scratch`, before ARG expansion */
  baseName: string;
  /** `AS name`, lower-cased; undefined when absent */
  stageName?: string;
  /** the `AS` keyword and name as written */
  asKeyword?: string;
  stageNameAsWritten?: string;
  /** `--platform` before expansion */
  platform?: string;
  docComment?: string;
}

export interface RunInstruction extends InstructionBase, CommandLine {
  kind: 'RUN';
  /** `--mount` values as written */
  mountSpecs: string[];
  /** mounts parsed from the literal specs (specs with `$` are parsed on expansion) */
  mounts: (Mount | undefined)[];
  network: 'default' | 'none' | 'host';
  security: 'sandbox' | 'insecure';
  devices: Device[];
}

export interface CmdInstruction extends InstructionBase, CommandLine {
  kind: 'CMD';
}
export interface EntrypointInstruction extends InstructionBase, CommandLine {
  kind: 'ENTRYPOINT';
}

interface CopyLike extends InstructionBase {
  sources: string[];
  sourceKinds: SourceKind[];
  /** heredoc sources (`COPY <<EOF /dest`) */
  sourceContents: HeredocSource[];
  dest: string;
  chown?: ChownSpec;
  /** parsed when constant; re-parsed after expansion */
  chmod?: ChmodSpec | { raw: string };
  link: boolean;
  excludes: string[];
}

export interface CopyInstruction extends CopyLike {
  kind: 'COPY';
  /** `--from`: stage name, index or image; never expanded */
  from?: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'ADD';
  keepGitDir?: boolean;
  checksum?: string;
  unpack?: boolean;
}

export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  env: KeyValuePair[];
}
export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  labels: KeyValuePair[];
}
export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: ArgDefinition[];
}
export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  /** as written (sorted, as BuildKit sorts them); expanded and split on dispatch */
  ports: string[];
}
export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  volumes: string[];
}
export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  user: string;
}
export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  path: string;
}
export interface StopSignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  signal: string;
}
export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  shell: string[];
}
export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  health: HealthConfig;
}
export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}
export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** the trigger as the image stores it (`RUN echo hi`, heredoc bodies appended) */
  expression: string;
  /** the trigger, parsed (undefined when it does not parse: it fails in the child build) */
  trigger?: Instruction;
}

/** Every instruction inside a stage. */
export type Instruction =
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | CopyInstruction
  | AddInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | StopSignalInstruction
  | ShellInstruction
  | HealthcheckInstruction
  | MaintainerInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'] | 'FROM';

/** All instruction names BuildKit knows (for "did you mean"). */
export const INSTRUCTION_NAMES: readonly InstructionKind[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

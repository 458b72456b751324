import type { Platform } from '../../oci';
import type { IgnoreMatcher } from '../ignore/matcher';
import type { CheckWarning, Linter } from './linter';

/** What a base image tells the checks (from the image config, when known). */
export interface BaseImageInfo {
  platform?: Platform;
  /** `KEY=value` entries of the image config */
  env?: string[];
  /** the image config's Shell */
  shell?: string[];
}

export interface CheckOptions {
  /** --build-arg values */
  buildArgs?: Record<string, string>;
  /** --target (default: all stages) */
  target?: string;
  buildPlatform?: Platform;
  /** default: the build platform */
  targetPlatform?: Platform;
  /** hook for CopyIgnoredFile: the .dockerignore matcher of the context */
  ignoreMatcher?: IgnoreMatcher;
  /**
   * hook for InvalidBaseImagePlatform and for the environment UndefinedVar
   * needs: the config of an external base image. Without it, UndefinedVar is
   * not checked in stages built on external images (their variables are unknown).
   */
  baseImage?: (ref: string, platform: Platform) => BaseImageInfo | undefined;
}

export interface CheckResult {
  warnings: CheckWarning[];
  /** set when `# check=error=true` and there are warnings */
  failed: boolean;
}

/** Per-stage state the dispatch simulation carries (what BuildKit's dispatchState holds). */
export interface StageState {
  env: Map<string, string>;
  /** resolved global ARGs (an `ARG X` without default inherits from here) */
  globals: Map<string, string>;
  /** ARG keys declared in the stage so far */
  buildArgs: string[];
  shellSet: boolean;
  workdirSet: boolean;
  /** false when the base image is external and unknown */
  envKnown: boolean;
  lint: Linter;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

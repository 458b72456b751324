// The parts of @npmcli/arborist and npm-packlist that pack/ uses (neither ships types).
declare module '@npmcli/arborist' {
  interface ArboristNode {
    name: string;
    path: string;
    realpath: string;
    location: string;
    isLink: boolean;
    isRoot: boolean;
    dev: boolean;
    optional: boolean;
    peer: boolean;
    package: Record<string, unknown>;
    version?: string;
    resolved?: string | null;
    integrity?: string | null;
    hasInstallScript?: boolean;
    target: ArboristNode;
    children: Map<string, ArboristNode>;
    inventory: Map<string, ArboristNode>;
    edgesOut: Map<string, { name: string; type: string; spec: string; valid: boolean; missing: boolean; invalid: boolean }>;
  }
  interface ArboristOptions {
    path: string;
    omit?: string[];
    ignoreScripts?: boolean;
    audit?: boolean;
    fund?: boolean;
    binLinks?: boolean;
    save?: boolean;
    [key: string]: unknown;
  }
  class Arborist {
    constructor(options: ArboristOptions);
    loadVirtual(options?: Record<string, unknown>): Promise<ArboristNode>;
    loadActual(options?: Record<string, unknown>): Promise<ArboristNode>;
    reify(options?: Record<string, unknown>): Promise<ArboristNode>;
  }
  export = Arborist;
  namespace Arborist {
    export type Node = ArboristNode;
  }
}

declare module 'npm-packlist' {
  import type { Node } from '@npmcli/arborist';
  function packlist(tree: Node, options?: { path?: string }): Promise<string[]>;
  export = packlist;
}

// Progress events a run emits; the CLI turns them into lines a person can follow (or JSON lines).
import type { BackupRecord } from "./backup.js";
import type { GateName } from "./gates/names.js";
import type { UpgradePlan } from "./plan.js";

export type RunEvent =
  | { readonly type: "plan"; readonly plan: UpgradePlan }
  | { readonly type: "promotion"; readonly ok: boolean; readonly detail: string }
  | { readonly type: "resume"; readonly node: string; readonly detail: string }
  | {
      readonly type: "node";
      /** `talos v1.13.9` or `kubernetes v1.35.2`. */
      readonly step: string;
      readonly node: string;
      readonly status: "start" | "skip" | "done" | "would-upgrade";
      readonly detail: string;
      readonly elapsedMs: number;
    }
  | {
      readonly type: "gate";
      readonly step: string;
      readonly node?: string;
      readonly gate: GateName;
      readonly phase: "before" | "after" | "final";
      readonly status: "pass" | "wait" | "fail";
      readonly detail: string;
      readonly elapsedMs: number;
    }
  | {
      readonly type: "command";
      readonly node: string;
      readonly command: string;
      /** One output line of the command, when it prints. */
      readonly line?: string;
      readonly elapsedMs: number;
    }
  | {
      readonly type: "order";
      /** `talos v1.13.9`. */
      readonly step: string;
      /** Hostnames in the order this step upgrades them. */
      readonly nodes: readonly string[];
      readonly detail: string;
    }
  | { readonly type: "evidence"; readonly file: string }
  | { readonly type: "backup"; readonly backup: BackupRecord; readonly restore: string };

export type RunEventListener = (event: RunEvent) => void;

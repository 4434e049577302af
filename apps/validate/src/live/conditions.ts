// Reads Kubernetes status conditions (Ready etc.) from plain or typed objects.
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export function conditionsOf(object: unknown): Condition[] {
  const status = (object as { status?: { conditions?: unknown } })?.status;
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : [];
}

export function findCondition(object: unknown, type: string): Condition | undefined {
  return conditionsOf(object).find((condition) => condition.type === type);
}

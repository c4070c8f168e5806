// Which of a server's lists changed between two builds, to send only the list_changed
// notifications that matter. Source locations are left out: moving code changes no list.

export interface Manifest {
  readonly tools?: readonly object[];
  readonly resources?: readonly object[];
  readonly resourceTemplates?: readonly object[];
  readonly prompts?: readonly object[];
}

export type ListKind = "tools" | "resources" | "prompts";

export function changedLists(before: Manifest | undefined, after: Manifest): ListKind[] {
  const same = (a: readonly object[] | undefined, b: readonly object[] | undefined) =>
    fingerprint(a) === fingerprint(b);
  const changed: ListKind[] = [];
  if (before === undefined || !same(before.tools, after.tools)) changed.push("tools");
  if (
    before === undefined ||
    !same(before.resources, after.resources) ||
    !same(before.resourceTemplates, after.resourceTemplates)
  ) {
    changed.push("resources");
  }
  if (before === undefined || !same(before.prompts, after.prompts)) changed.push("prompts");
  return changed;
}

function fingerprint(list: readonly object[] | undefined): string {
  return JSON.stringify((list ?? []).map(({ source: _source, ...rest }: { source?: unknown }) => rest));
}

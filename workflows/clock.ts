// Workflow time. In workflow code the Temporal SDK replaces Date with a deterministic clock (the
// time of the current workflow task, the same on every replay); these are the one place workflow
// code reads it, so it is never mistaken for the wall clock.
export function workflowTimeMs(): number {
  return new Date().getTime();
}

export function workflowTimeIso(): string {
  return new Date().toISOString();
}

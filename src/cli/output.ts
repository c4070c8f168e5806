// Where commands write: stdout carries the result, stderr everything else. Injected for tests.

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

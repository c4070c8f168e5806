// Types shared by the benchmark's tools; their JSDoc becomes part of the JSON Schema.

export interface Filters {
  /** Only records with all of these tags. */
  tags: string[];
  /**
   * Only records changed on or after this instant.
   * @format date-time
   */
  since?: string;
}

export interface Hit {
  id: number;
  title: string;
}

// What the wire fuzzer sends: fast-check arbitraries for input lines, each tagged with its
// category. A piece is one or more lines; ID stands for a fresh request id that the driver fills
// in, so that most requests can be told apart while some share ids on purpose.
import fc from "fast-check";

export interface Piece {
  readonly category: string;
  /** Text (with ID placeholders) or raw bytes; "\n" inside makes several lines. */
  readonly data: string | Uint8Array;
  /** Pad the text at PAD until the line has this many bytes. */
  readonly padTo?: number;
}

/** Replaced by the driver with a fresh id (the same one for every place in one piece). */
export const ID = "\u0001fuzz-id\u0001";
export const ID_JSON = JSON.stringify(ID);
/** Where a piece with `padTo` is padded. */
export const PAD = "\u0002";

type Obj = Record<string, unknown>;

const piece =
  (category: string) =>
  (data: string | Uint8Array): Piece => ({ category, data });

const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.string({ maxLength: 24 });
const anyText = fc.string({ unit: "binary", maxLength: 24 });
const names = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf", "prototype"];

/** Ids that are valid but odd: zero and minus zero, huge, tiny, fractional, empty, unicode. */
export const oddId: fc.Arbitrary<string | number> = fc.oneof(
  fc.constantFrom<string | number>(
    0,
    -0,
    -1,
    1.5,
    1e308,
    -1e308,
    5e-324,
    2 ** 53,
    2 ** 53 + 2,
    "",
    " ",
    "0",
    "null",
    "id-ünï-🌍",
    "\u0000",
    "\u2028",
    ...names,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  anyText,
);

/** Long ids: 1 000 to 60 000 characters. */
const longId = fc
  .tuple(fc.integer({ min: 1000, max: 60_000 }), fc.string({ minLength: 1, maxLength: 4 }))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const progressToken = fc.oneof(fc.constant(ID), text, fc.integer(), json);
const meta = fc.option(fc.record({ progressToken }), { nil: undefined, freq: 3 });

function percentEncoded(): fc.Arbitrary<string> {
  return fc.oneof(
    anyText.filter((s) => s !== "").map(encodeURIComponent),
    anyText.filter((s) => s !== "").map((s) => encodeURIComponent(encodeURIComponent(s))),
    fc.constantFrom(
      "..%2F..%2Fetc%2Fpasswd",
      "%252e%252e",
      "%2e%2e",
      "%C3%A9t%C3%A9",
      "%F0%9F%8C%8D",
      "%",
      "%G1",
      "%C3",
      "%ED%A0%80",
      "%FF",
      "caf%C3%A9%",
      "a%00b",
      "__proto__",
      "constructor",
    ),
    text.filter((s) => s !== ""),
  );
}

const uri = fc.oneof(
  { weight: 2, arbitrary: fc.constant("config://app") },
  { weight: 4, arbitrary: fc.tuple(percentEncoded(), percentEncoded()).map(([d, n]) => `files://${d}/${n}`) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.constantFrom("book", "film", "music", "b%6Fok", "toString"), percentEncoded())
      .map((k) => `items://${k}`),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(text, fc.constantFrom(...names, "config://app/", "files://a", "files:///b")),
  },
);

const order = fc.record(
  {
    customer: fc.record(
      { name: text, email: fc.option(text, { nil: undefined }) },
      { requiredKeys: ["name"] },
    ),
    lines: fc.array(
      fc.record({
        sku: fc.oneof(fc.constantFrom("ABC-123", "XYZ-999"), text),
        quantity: fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer()),
      }),
      { maxLength: 22 },
    ),
    priority: fc.option(fc.constantFrom("low", "high", "urgent"), { nil: undefined }),
    notes: fc.option(fc.array(text, { maxLength: 4 }), { nil: undefined }),
  },
  { requiredKeys: ["customer", "lines"] },
);

interface Tree {
  label: string;
  children?: Tree[];
}
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.record(
    { label: text, children: fc.array(tie("node"), { maxLength: 3, depthIdentifier: "tree" }) },
    { requiredKeys: ["label"] },
  ),
})).node;

const toolCall = fc.oneof(
  fc.record({ name: fc.constant("add"), arguments: fc.record({ a: fc.double(), b: fc.integer() }) }),
  fc.record({ name: fc.constant("echo"), arguments: fc.record({ text: anyText }) }),
  fc.record({
    name: fc.constant("quote"),
    arguments: fc.record({ order, discount: fc.integer({ min: 0, max: 50 }) }),
  }),
  fc.record({ name: fc.constant("countNodes"), arguments: fc.record({ tree }) }),
  fc.record({ name: fc.constant("wait"), arguments: fc.record({ ms: fc.integer({ min: 0, max: 5 }) }) }),
  fc.record({ name: fc.constant("inspect"), arguments: fc.record({ data: fc.dictionary(text, json) }) }),
  fc.record({ name: fc.constant("pollution"), arguments: fc.constant({}) }),
  fc.record({ name: fc.oneof(text, fc.constantFrom(...names)), arguments: fc.dictionary(text, json) }),
);

const promptGet = fc.oneof(
  fc.record(
    {
      name: fc.constant("greet"),
      arguments: fc.record(
        { name: text, tone: fc.constantFrom("warm", "formal", "rude") },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["name"] },
  ),
  fc.record({
    name: fc.constant("intro"),
    arguments: fc.option(fc.dictionary(text, text), { nil: undefined }),
  }),
  fc.record({ name: fc.oneof(text, fc.constantFrom(...names)) }),
);

const completion = fc.record({
  ref: fc.oneof(
    fc.record({ type: fc.constant("ref/prompt"), name: fc.constantFrom("greet", "intro", ...names) }),
    fc.record({
      type: fc.constant("ref/resource"),
      uri: fc.constantFrom("files://{dir}/{name}", "items://{kind}", "config://app", ...names),
    }),
    json,
  ),
  argument: fc.oneof(
    { weight: 4, arbitrary: fc.record({ name: fc.constantFrom("tone", "kind", ...names), value: text }) },
    { weight: 1, arbitrary: json },
  ),
});

const knownMethod = fc.oneof(
  fc.record({ method: fc.constant("ping"), params: fc.option(fc.constant({}), { nil: undefined }) }),
  fc.record({
    method: fc.constantFrom("tools/list", "resources/list", "resources/templates/list", "prompts/list"),
    params: fc.option(fc.record({ cursor: fc.oneof(text, json) }), { nil: undefined, freq: 2 }),
  }),
  fc.record({ method: fc.constant("tools/call"), params: toolCall }),
  fc.record({ method: fc.constant("resources/read"), params: fc.record({ uri }) }),
  fc.record({ method: fc.constant("prompts/get"), params: promptGet }),
  fc.record({ method: fc.constant("completion/complete"), params: completion }),
  fc.record({
    method: fc.constant("logging/setLevel"),
    params: fc.record({ level: fc.constantFrom("debug", "info", "error", "emergency", "loud", ...names) }),
  }),
  fc.record({ method: fc.constant("initialize"), params: fc.constant({ protocolVersion: "2025-11-25" }) }),
);

const unknownMethod = fc.oneof(
  text,
  fc.constantFrom(
    ...names,
    "tools/call ",
    "Tools/Call",
    "tools/",
    "resources/subscribe",
    "notifications/initialized",
    "notifications/cancelled",
    "rpc.discover",
    "server/discover",
  ),
);

/** A request object with `id` (ID by default). */
const requestObject = (id: fc.Arbitrary<unknown> = fc.constant(ID)) =>
  fc.tuple(id, knownMethod, meta).map(([requestId, { method, params }, m]) => {
    const message: Obj = { jsonrpc: "2.0", id: requestId, method };
    if (params !== undefined) message.params = m === undefined ? params : { ...params, _meta: m };
    else if (m !== undefined) message.params = { _meta: m };
    return message;
  });

const valid = requestObject().map((m) => JSON.stringify(m));

/** Every field a request has, with a value of another type (or removed). */
const FIELDS = [
  "jsonrpc",
  "id",
  "method",
  "params",
  "params.name",
  "params.arguments",
  "params._meta",
  "params._meta.progressToken",
  "params.cursor",
  "params.uri",
  "params.ref",
  "params.argument",
  "params.level",
  "params.arguments.a",
  "params.arguments.text",
] as const;

const REMOVE = Symbol("remove");

const mutated = fc
  .tuple(requestObject(), fc.constantFrom(...FIELDS), fc.oneof(json, fc.constant<typeof REMOVE>(REMOVE)))
  .map(([message, field, value]) => {
    const path = field.split(".");
    let target: Obj = message;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== "object" || next === null || Array.isArray(next)) target[key] = {};
      target = target[key] as Obj;
    }
    const last = path.at(-1) as string;
    if (value === REMOVE) delete target[last];
    else target[last] = value;
    return JSON.stringify(message);
  });

const randomBytes = fc.uint8Array({ maxLength: 300 }).map((bytes) => bytes.map((b) => (b === 10 ? 32 : b)));

const truncated = fc
  .tuple(valid, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([line, at]) => line.slice(0, Math.floor(line.length * at)));

const concatenated = fc
  .tuple(valid, valid, fc.constantFrom("", " ", "\t", "\n", "\r\n", "}{"))
  .map(([a, b, glue]) => `${a}${glue}${b}`);

const oddIds = fc.oneof(
  requestObject(oddId).map((m) => JSON.stringify(m)),
  requestObject(longId).map((m) => JSON.stringify(m)),
  // Numerals JSON.parse reads as something else (a lossy double, -0, or Infinity: invalid).
  fc
    .tuple(
      valid,
      fc.constantFrom("-0", "1e400", "-1e400", "123456789012345678901234567890", "1.0", "1E2", "0.1e-5"),
    )
    .map(([line, numeral]) => line.replace(ID_JSON, numeral)),
  // Ids of the wrong type.
  requestObject(
    fc.oneof(fc.constant(null), fc.boolean(), fc.array(json, { maxLength: 2 }), fc.dictionary(text, json)),
  ).map((m) => JSON.stringify(m)),
);

/** `[[[…]]]`, `{"a":{"a":…}}` or a mix, `depth` levels. */
function deep(depth: number, shape: "array" | "object" | "mixed", leaf = "1"): string {
  if (shape === "array") return `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
  if (shape === "object") return `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
  const half = Math.floor(depth / 2);
  return `${'[{"a":'.repeat(half)}${leaf}${"}]".repeat(half)}`;
}

const depth = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 500, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5000, max: 40_000 }) },
);

const DEEP_PLACES: ((d: string) => string)[] = [
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":"ping","params":{"deep":${d}}}`,
  (d) =>
    `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"inspect","arguments":{"data":{"x":${d}}}}}`,
  (d) =>
    `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"echo","arguments":{"text":${d}}}}`,
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"add","arguments":${d}}}`,
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/list","params":{"cursor":${d}}}`,
  (d) =>
    `{"jsonrpc":"2.0","id":${ID_JSON},"method":"completion/complete","params":{"ref":${d},"argument":{"name":"tone","value":""}}}`,
  (d) =>
    `{"jsonrpc":"2.0","id":${ID_JSON},"method":"prompts/get","params":{"name":"greet","arguments":{"name":${d}}}}`,
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":"resources/read","params":{"uri":${d}}}`,
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":"ping","params":{"_meta":{"progressToken":${d}}}}`,
  (d) => `{"jsonrpc":"2.0","id":${d},"method":"ping"}`,
  (d) => `{"jsonrpc":"2.0","id":${ID_JSON},"method":${d}}`,
  (d) => `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${d}}}`,
  (d) => d,
];

const deepNesting = fc
  .tuple(
    depth,
    fc.constantFrom("array", "object", "mixed") as fc.Arbitrary<"array" | "object" | "mixed">,
    fc.nat(),
  )
  .map(([d, shape, place]) =>
    (DEEP_PLACES[place % DEEP_PLACES.length] as (d: string) => string)(deep(d, shape)),
  );

/** A deep tree the recursive validator of countNodes walks. */
const deepTree = depth.map(
  (d) =>
    `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"countNodes","arguments":{"tree":${'{"label":"n","children":['.repeat(d)}{"label":"leaf"}${"]}".repeat(d)}}}}`,
);

const unknownMethods = fc
  .tuple(unknownMethod, fc.option(fc.dictionary(text, json), { nil: undefined }))
  .map(([method, params]) => JSON.stringify({ jsonrpc: "2.0", id: ID, method, params }));

/** Two to four requests with one id, in one write: the later ones meet the first in flight. */
const duplicates = fc
  .tuple(
    fc.oneof(
      oddId,
      text.map((s) => `dup-${s}`),
    ),
    fc.array(requestObject(), { minLength: 2, maxLength: 4 }),
    fc.constantFrom(
      '{"name":"wait","arguments":{"ms":3}}',
      '{"name":"add","arguments":{"a":1,"b":2}}',
      '{"name":"pollution"}',
    ),
  )
  .map(([id, messages, call]) => [
    `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":${call}}`,
    ...messages.map((m) => JSON.stringify({ ...m, id })),
  ])
  .map((lines) => lines.join("\n"));

const notificationsWithIds = fc
  .tuple(
    fc.constantFrom(
      "notifications/cancelled",
      "notifications/initialized",
      "notifications/progress",
      "notifications/roots/list_changed",
      "notifications/message",
    ),
    fc.oneof(fc.constant(ID), oddId),
    json,
  )
  .map(([method, id, params]) =>
    JSON.stringify({ jsonrpc: "2.0", id, method, params: { requestId: params } }),
  );

const cancels = fc.oneof(
  // Unknown and odd ids, malformed params.
  fc
    .tuple(fc.oneof(oddId, json, longId), fc.option(anyText, { nil: undefined }))
    .map(([requestId, reason]) =>
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason } }),
    ),
  json.map((params) => JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params })),
  // A request and its cancellation: the response may or may not come, but never twice.
  fc
    .tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom("", "\n", "\n\n"))
    .map(
      ([ms, between]) =>
        `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"wait","arguments":{"ms":${ms}}}}\n${between}` +
        `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${ID_JSON},"reason":"fuzz"}}`,
    ),
);

const batches = fc
  .array(fc.oneof(requestObject(oddId), json), { maxLength: 5 })
  .map((items) => JSON.stringify(items));

const INVALID_UTF8 = [
  [0x80],
  [0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xfe],
];

const invalidUtf8 = fc
  .tuple(valid, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...INVALID_UTF8))
  .map(([line, at, bad]) => {
    // Filled in here, not by the driver: the placeholder must not be cut.
    const bytes = Buffer.from(line.replace(ID_JSON, '"utf8"'));
    const cut = Math.floor(bytes.length * at);
    return Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
  });

const responses = fc
  .tuple(fc.oneof(fc.constant(ID), oddId, fc.constant(null)), fc.boolean(), json)
  .map(([id, ok, value]) =>
    JSON.stringify(
      ok ? { jsonrpc: "2.0", id, result: value } : { jsonrpc: "2.0", id, error: { code: -1, message: "x" } },
    ),
  );

const blank = fc.constantFrom("", " ", "\t", "\r", "  \r", "\u00a0", "\ufeff", "\v\f");

/** Lines just under, at and over the limit (bytes, not counting the newline). */
const nearLimit = (limit: number) =>
  fc.integer({ min: -2, max: 2 }).map(
    (delta): Piece => ({
      category: "lines at the size limit",
      data: `{"jsonrpc":"2.0","id":${ID_JSON},"method":"tools/call","params":{"name":"echo","arguments":{"text":"${PAD}"}}}`,
      padTo: limit + delta,
    }),
  );

/** The weighted mix of everything above. */
export function pieces(limit: number): fc.Arbitrary<Piece> {
  return fc.oneof(
    { weight: 90, arbitrary: valid.map(piece("valid request")) },
    { weight: 42, arbitrary: mutated.map(piece("wrong type or missing field")) },
    { weight: 15, arbitrary: randomBytes.map(piece("random bytes")) },
    { weight: 15, arbitrary: truncated.map(piece("truncated JSON")) },
    { weight: 12, arbitrary: concatenated.map(piece("concatenated JSON")) },
    { weight: 18, arbitrary: oddIds.map(piece("odd, huge and invalid ids")) },
    { weight: 6, arbitrary: deepNesting.map(piece("deep nesting")) },
    { weight: 3, arbitrary: deepTree.map(piece("deep nesting")) },
    { weight: 12, arbitrary: unknownMethods.map(piece("unknown methods")) },
    { weight: 9, arbitrary: duplicates.map(piece("duplicate ids")) },
    { weight: 9, arbitrary: notificationsWithIds.map(piece("notifications with ids")) },
    { weight: 12, arbitrary: cancels.map(piece("cancellations")) },
    { weight: 9, arbitrary: batches.map(piece("batches")) },
    { weight: 9, arbitrary: invalidUtf8.map(piece("invalid UTF-8")) },
    { weight: 9, arbitrary: responses.map(piece("responses")) },
    { weight: 9, arbitrary: blank.map(piece("blank lines")) },
    { weight: 1, arbitrary: nearLimit(limit) },
  );
}

/** What separates pieces: LF mostly, CRLF, blank lines in between. */
export const separator = fc.oneof(
  { weight: 12, arbitrary: fc.constant("\n") },
  { weight: 3, arbitrary: fc.constant("\r\n") },
  { weight: 1, arbitrary: fc.constantFrom("\n\n", "\r\n\r\n", "\n \n", "\n\t\r\n") },
);

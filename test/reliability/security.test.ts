// Security (issue 6), end to end against built servers: prototype-pollution payloads never reach
// the built-in prototypes, names of inherited properties never find an entry, resource-template
// variables are percent-decoded exactly once and handed over as strings, and hostile strings in
// the source come out of tools/list, resources/list, templates/list and prompts/list exactly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTo, killStrays, type Session } from "../e2e/harness.js";
import { type BuiltFixture, buildFixture, INITIALIZE, type Message, WireServer } from "./fixture.js";

let fuzz: BuiltFixture;
let hostile: BuiltFixture;
let server: WireServer;
let nextId = 0;

/** The built-in prototypes as the server saw them before any payload. */
let pristine: unknown;

beforeAll(async () => {
  [fuzz, hostile] = await Promise.all([buildFixture("fuzz"), buildFixture("hostile")]);
  server = new WireServer(fuzz.serverPath);
  // The handshake itself carries payloads: in the client's capabilities and info.
  const init = INITIALIZE.replace(
    '"capabilities":{}',
    '"capabilities":{"__proto__":{"polluted":"capabilities"},"constructor":{"prototype":{"polluted":"capabilities"}}}',
  ).replace('"clientInfo":{', '"clientInfo":{"__proto__":{"polluted":"clientInfo"},');
  expect(init).toContain('"__proto__":{"polluted":"clientInfo"}');
  const ready = new Promise<Message>((resolve) => {
    server.onMessage = (m) => m.id === "init" && resolve(m);
  });
  await server.write(init);
  expect((await ready).result).toMatchObject({ serverInfo: { name: "fuzz" } });
  pristine = await server.callTool("pollution");
}, 120_000);

afterAll(() => {
  server?.kill();
  fuzz?.remove();
  hostile?.remove();
  expect(killStrays()).toBe(0);
});

/** Sends a request written as raw JSON text (so `__proto__` stays a key) and returns its response. */
function raw(method: string, params: string): Promise<Message> {
  const id = `s${++nextId}`;
  return server.ask(`{"jsonrpc":"2.0","id":"${id}","method":"${method}","params":${params}}`, id);
}

const POLLUTE = '{"polluted":"yes","toString":"polluted"}';
const PAYLOADS = [
  `{"__proto__":${POLLUTE}}`,
  `{"constructor":{"prototype":${POLLUTE}}}`,
  `{"__proto__":{"__proto__":${POLLUTE}}}`,
  `{"a":{"__proto__":${POLLUTE},"constructor":{"prototype":${POLLUTE}}}}`,
  `[{"__proto__":${POLLUTE}}]`,
];

describe("prototype pollution", () => {
  it("hands a handler __proto__ and constructor keys as plain data", async () => {
    const response = await raw(
      "tools/call",
      `{"name":"inspect","arguments":{"data":{"__proto__":${POLLUTE},"constructor":{"prototype":${POLLUTE}}}}}`,
    );
    expect((response.result as { structuredContent: unknown }).structuredContent).toEqual({
      keys: ["__proto__", "constructor"],
      prototype: "Object.prototype",
      protoIsOwn: true,
    });
  });

  it("leaves Object.prototype, Array.prototype and Function.prototype as they were after every payload", async () => {
    const answered: Message[] = [];
    for (const payload of PAYLOADS) {
      // In the arguments of tools and prompts (valid or not), in params, in _meta, in every other field.
      answered.push(
        await raw(
          "tools/call",
          `{"name":"inspect","arguments":{"data":${payload.startsWith("[") ? `{"x":${payload}}` : payload}}}`,
        ),
        await raw("tools/call", `{"name":"add","arguments":${payload}}`),
        await raw(
          "tools/call",
          `{"name":"quote","arguments":{"order":{"customer":${payload},"lines":[${payload}]}}}`,
        ),
        await raw("tools/call", `{"name":"pollution","arguments":{},"_meta":${payload}}`),
        await raw(
          "tools/call",
          `{"name":"pollution","__proto__":${POLLUTE},"_meta":{"progressToken":${payload}}}`,
        ),
        await raw("prompts/get", `{"name":"greet","arguments":${payload}}`),
        await raw("prompts/get", `{"name":"greet","arguments":{"name":"x","tone":${payload}}}`),
        await raw("resources/read", `{"uri":"config://app","_meta":${payload}}`),
        await raw("completion/complete", `{"ref":${payload},"argument":${payload}}`),
        await raw(
          "completion/complete",
          `{"ref":{"type":"ref/prompt","name":"greet","__proto__":${POLLUTE}},"argument":{"name":"tone","value":"","__proto__":${POLLUTE}}}`,
        ),
        await raw("logging/setLevel", `{"level":${payload}}`),
        await raw("tools/list", `{"cursor":${payload}}`),
        await raw("ping", payload.startsWith("[") ? `{"x":${payload}}` : payload),
      );
      await server.write(
        `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${payload},"__proto__":${POLLUTE}}}\n`,
      );
    }
    // Template variables named like the payloads, plain and percent-encoded.
    for (const uri of [
      "files://__proto__/polluted",
      "files://constructor/prototype",
      "files://%5F%5Fproto%5F%5F/%5F%5Fproto%5F%5F",
      "items://__proto__",
      "items://constructor",
    ])
      answered.push(await raw("resources/read", JSON.stringify({ uri })));
    expect(answered.every((m) => m.result !== undefined || m.error !== undefined)).toBe(true);
    expect(answered.filter((m) => m.error?.code === -32603)).toEqual([]);
    expect(pristine).toMatchObject({ polluted: false });
    expect(await server.callTool("pollution")).toEqual(pristine);
  });
});

describe("lookups cannot reach inherited properties", () => {
  const INHERITED = [
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "valueOf",
    "isPrototypeOf",
    "__defineGetter__",
  ];

  it.each(INHERITED)("%s is an unknown tool, prompt, resource, template and completion ref", async (name) => {
    const quoted = JSON.stringify(name);
    expect((await raw("tools/call", `{"name":${quoted},"arguments":{}}`)).error).toEqual({
      code: -32602,
      message: `Unknown tool: ${name}`,
    });
    expect((await raw("prompts/get", `{"name":${quoted}}`)).error).toEqual({
      code: -32602,
      message: `Unknown prompt: ${name}`,
    });
    expect((await raw("resources/read", `{"uri":${quoted}}`)).error).toMatchObject({
      code: -32002,
      message: `Resource not found: ${name}`,
    });
    for (const ref of [`{"type":"ref/prompt","name":${quoted}}`, `{"type":"ref/resource","uri":${quoted}}`]) {
      const error = (await raw("completion/complete", `{"ref":${ref},"argument":{"name":"tone","value":""}}`))
        .error;
      expect(error).toMatchObject({
        code: -32602,
        message: expect.stringContaining("unknown completion reference"),
      });
    }
    // A known ref with an inherited argument name offers nothing (it neither fails nor lists anything).
    const offered = await raw(
      "completion/complete",
      `{"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":${quoted},"value":""}}`,
    );
    expect(offered.result).toEqual({ completion: { values: [], total: 0, hasMore: false } });
    expect((await raw("logging/setLevel", `{"level":${quoted}}`)).error?.code).toBe(-32602);
  });
});

describe("resource-template variables", () => {
  /** What the files://{dir}/{name} handler received, or the error. */
  async function received(uri: string): Promise<unknown> {
    const response = await raw("resources/read", JSON.stringify({ uri }));
    if (response.error !== undefined) return response.error;
    const [content] = (response.result as { contents: { uri: string; text: string }[] }).contents;
    expect(content?.uri).toBe(uri);
    return JSON.parse(content?.text as string);
  }

  it.each([
    // Decoded once: an encoded slash becomes a slash, so a variable can hold a path.
    ["files://..%2F..%2Fetc%2Fpasswd/x", { dir: "../../etc/passwd", name: "x" }],
    ["files://../passwd", { dir: "..", name: "passwd" }],
    // Not twice: %252e is "%2e", not ".".
    ["files://%252e%252e%252F/%252F", { dir: "%2e%2e%2F", name: "%2F" }],
    ["files://%252e%252e/%252F", { dir: "%2e%2e", name: "%2F" }],
    // UTF-8, encoded or not; "+" is a plus; %00 is a NUL character, handed over as it is.
    ["files://caf%C3%A9/%F0%9F%8C%8D", { dir: "café", name: "🌍" }],
    ["files://café/🌍", { dir: "café", name: "🌍" }],
    ["files://caf%C3%A9/🌍", { dir: "café", name: "🌍" }],
    ["files://a+b/%00", { dir: "a+b", name: "\u0000" }],
    ["files://%2e%2e/%2E", { dir: "..", name: "." }],
  ])("hands the handler %s as %j", async (uri, variables) => {
    expect(await received(uri)).toEqual(variables);
  });

  it.each([
    ["a % without two hex digits", "files://100%/x"],
    ["a bad hex digit", "files://%G1/x"],
    ["a cut-off escape", "files://a/%4"],
    ["an escape that is not UTF-8", "files://%C3/x"],
    ["an encoded surrogate", "files://%ED%A0%80/x"],
  ])("answers %s with -32602 and never calls the handler", async (_what, uri) => {
    expect(await received(uri)).toEqual({
      code: -32602,
      message: `Invalid params: malformed percent-encoding in ${JSON.stringify(uri)}`,
    });
  });

  it.each(["files://a/b/c", "files://a", "files://a/b?c", "files://a/b#c", "files:///b"])(
    "does not match %s (a variable is one or more characters other than / ? #)",
    async (uri) => {
      expect(await received(uri)).toMatchObject({ code: -32002 });
    },
  );

  it("checks a decoded variable against the parameter's type (a literal union)", async () => {
    expect((await raw("resources/read", '{"uri":"items://b%6Fok"}')).result).toMatchObject({
      contents: [{ uri: "items://b%6Fok", text: "all books" }],
    });
    expect((await raw("resources/read", '{"uri":"items://books"}')).error).toMatchObject({ code: -32602 });
  });
});

describe("hostile strings in the source", () => {
  let session: Session;

  beforeAll(async () => {
    session = await connectTo(hostile.serverPath);
  });

  afterAll(async () => {
    await session?.close();
  });

  it("serves them exactly through the official SDK client", async () => {
    const { client } = session;
    expect(client.getServerVersion()).toEqual({
      name: 'hostile "names" `${here}`',
      version: "1.0.0-'quoted'",
    });
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      {
        name: "hostile-prompt.1",
        title: 'Prompt "title" with `ticks` and ${x}',
        description:
          'A prompt whose text has "quotes", `backquotes`, ${braces}, a \\ backslash, </script> and 🌍.',
        arguments: [
          {
            name: "topic",
            description: 'What to write about: "quoted", `ticked`, ${braced}, </script>',
            required: true,
          },
        ],
      },
    ]);
    const topic = "\"'`${process.exit(1)}` */ </script> \u2028 🌍 \\";
    const prompt = await client.getPrompt({ name: "hostile-prompt.1", arguments: { topic } });
    expect(prompt.messages).toEqual([
      {
        role: "user",
        content: { type: "text", text: `Write about ${topic} and keep "this", \`that\` and \${the other}.` },
      },
    ]);

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(["hostile://x\"y'z", "hostile://ünï/🌍"]);
    expect((await client.readResource({ uri: "hostile://ünï/🌍" })).contents).toEqual([
      { uri: "hostile://ünï/🌍", mimeType: "text/plain", text: "🌍" },
    ]);

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      {
        uriTemplate: "hostile://t/{id}/a\"b'c`d$e*ü",
        name: "hostileTemplate",
        description:
          "A template whose literal parts are hostile: quotes ' and \", a backquote, $ and a non-ASCII ü.",
        mimeType: "text/plain",
      },
    ]);
    const uri = "hostile://t/%22%24%7Bx%7D%60/a\"b'c`d$e*ü";
    expect((await client.readResource({ uri })).contents).toEqual([
      { uri, mimeType: "text/plain", text: 'id="${x}`' },
    ]);

    const [tool] = (await client.listTools()).tools;
    expect(tool?.name).toBe("hostile.echo-1");
    expect(tool?.title).toBe('A "title" with `backquotes` and ${braces}');
  });
});

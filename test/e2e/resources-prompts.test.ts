// Resources, resource templates, prompts and completion through the SDK client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, killStrays, type Session } from "./harness.js";

let session: Session;
beforeAll(async () => {
  session = await connect();
});
afterAll(async () => {
  await session.close();
  expect(killStrays()).toBe(0);
});

describe("resources", () => {
  it("lists static resources and templates", async () => {
    expect((await session.client.listResources()).resources).toEqual([
      {
        uri: "file://config.json",
        name: "config",
        title: "Config",
        description: "Static JSON config",
        mimeType: "application/json",
      },
    ]);
    const { resourceTemplates } = await session.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["users://{id}/profile", "notes://{topic}"]);
  });

  it("reads a static resource by its exact URI", async () => {
    expect(await session.client.readResource({ uri: "file://config.json" })).toEqual({
      contents: [
        {
          uri: "file://config.json",
          mimeType: "application/json",
          text: '{"name":"reference","debug":false}',
        },
      ],
    });
  });

  it("reads a template with its variables decoded once", async () => {
    const { contents } = await session.client.readResource({ uri: "users://ada%20lovelace%2541/profile" });
    expect(contents).toEqual([
      {
        uri: "users://ada%20lovelace%2541/profile",
        mimeType: "application/json",
        text: '{"id":"ada lovelace%41","name":"User ada lovelace%41"}',
      },
    ]);
    const note = await session.client.readResource({ uri: "notes://masking" });
    expect(note.contents).toEqual([
      { uri: "notes://masking", mimeType: "text/plain", text: "Notes on masking." },
    ]);
  });

  it.each([
    ["an unknown URI", "users://42/settings", -32002],
    ["a path segment where a variable stands", "users://a/b/profile", -32002],
    ["broken percent-encoding", "users://%E0%A4%A/profile", -32602],
    ["a ToolError with its own code", "users://missing/profile", -32002],
  ])("answers %s with a JSON-RPC error", async (_what, uri, code) => {
    await expect(session.client.readResource({ uri })).rejects.toMatchObject({ code });
  });

  it("reports a panicking resource as -32603 with a ref that leads to the stack", async () => {
    const error = (await session.client
      .readResource({ uri: "users://crash/profile" })
      .catch((e: unknown) => e)) as {
      code: number;
      message: string;
    };
    expect(error.code).toBe(-32603);
    const ref = /ref ([0-9a-f]{8})/.exec(error.message)?.[1];
    await expect.poll(() => session.stderr()).toContain(`panic ${ref} in resource "users://crash/profile"`);
    expect(session.stderr()).toContain("TypeError: a bug in the profile resource");
  });
});

describe("prompts", () => {
  it("lists prompts with their arguments", async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts[0]).toEqual({
      name: "greeting",
      title: "Greeting",
      description: "Greet someone by name",
      arguments: [{ name: "name", description: "Who to greet", required: true }, { name: "style" }],
    });
  });

  it("turns a string into one user message and keeps PromptMessage arrays", async () => {
    expect(
      await session.client.getPrompt({ name: "greeting", arguments: { name: "Ada", style: "formal" } }),
    ).toEqual({
      description: "Greet someone by name",
      messages: [{ role: "user", content: { type: "text", text: "Good day, Ada." } }],
    });
    const { messages } = await session.client.getPrompt({
      name: "conversation",
      arguments: { topic: "budgets" },
    });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("answers missing arguments and unknown prompts with -32602", async () => {
    await expect(session.client.getPrompt({ name: "greeting", arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('missing required argument "name"'),
    });
    await expect(session.client.getPrompt({ name: "farewell" })).rejects.toMatchObject({ code: -32602 });
  });

  it("answers a ToolError from a prompt with a JSON-RPC error carrying its code and message", async () => {
    await expect(
      session.client.getPrompt({ name: "conversation", arguments: { topic: "forbidden" } }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("that topic is off limits") });
  });
});

describe("completion/complete", () => {
  it.each([
    ["a prompt argument", { type: "ref/prompt", name: "greeting" }, "style", "f", ["formal"]],
    ["a prompt argument, any case", { type: "ref/prompt", name: "greeting" }, "style", "CA", ["casual"]],
    [
      "a template variable",
      { type: "ref/resource", uri: "notes://{topic}" },
      "topic",
      "c",
      ["cancellation", "children"],
    ],
    ["an argument without values", { type: "ref/prompt", name: "greeting" }, "name", "", []],
  ] as const)("completes %s", async (_what, ref, name, value, values) => {
    const { completion } = await session.client.complete({ ref: { ...ref }, argument: { name, value } });
    expect(completion).toEqual({ values, total: values.length, hasMore: false });
  });

  it("refuses an unknown reference", async () => {
    await expect(
      session.client.complete({
        ref: { type: "ref/prompt", name: "nope" },
        argument: { name: "x", value: "" },
      }),
    ).rejects.toMatchObject({ code: -32602 });
  });
});

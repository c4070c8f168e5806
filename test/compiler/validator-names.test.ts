// Top-level names of ajv's standalone code, renumbered so the code does not depend on what the
// compiler instance compiled before.
import { describe, expect, it } from "vitest";
import { canonicalNames } from "../../src/compiler/validator-names.js";

describe("canonicalNames", () => {
  it("numbers top-level names by first appearance, per prefix", () => {
    const code =
      '"use strict";exports.v0 = validate52;const schema19 = {"type":"object"};const func3 = Object.prototype.hasOwnProperty;' +
      'function validate52(data){const err0 = func3.call(data, "a");validate52.errors = err0;return validate7(data);}' +
      "exports.v1 = validate7;function validate7(data){return true;}";
    expect(canonicalNames(code)).toBe(
      '"use strict";exports.v0 = validate_0;const schema_0 = {"type":"object"};const func_0 = Object.prototype.hasOwnProperty;' +
        'function validate_0(data){const err0 = func_0.call(data, "a");validate_0.errors = err0;return validate_1(data);}' +
        "exports.v1 = validate_1;function validate_1(data){return true;}",
    );
  });

  it("gives the same code for compilations that differ only in their counters", () => {
    const a = "exports.v0 = validate5;const schema2 = 1;function validate5(){return schema2;}";
    const b = "exports.v0 = validate41;const schema17 = 1;function validate41(){return schema17;}";
    expect(canonicalNames(a)).toBe(canonicalNames(b));
  });

  it("leaves strings, properties and local names alone", () => {
    const code =
      'const schema3 = {"schema3":"validate1 in a string","x":\'schema3\'};' +
      "function validate1(data){const schema30 = data.schema3;return {...schema3, n: schema30};}";
    expect(canonicalNames(code)).toBe(
      'const schema_0 = {"schema3":"validate1 in a string","x":\'schema3\'};' +
        "function validate_0(data){const schema30 = data.schema3;return {...schema_0, n: schema30};}",
    );
  });
});

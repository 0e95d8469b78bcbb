/**
 * `validateCode`: R's own `parse()`, re-created in TypeScript (SPEC §10). It tells whether
 * code parses — with R's line, column and message when it does not — and lists advisory
 * warnings for calls the sandbox may restrict, found in the syntax tree. No R process is
 * involved.
 *
 * Inside this folder: the scanner and lexer (`scanner.ts`, `lex_*.ts`, `lexer.ts`), the
 * parser (`parser.ts` on `operand_parser.ts` and `token_reader.ts`, `parse_*.ts`,
 * `precedence.ts`, `pipe.ts`), the syntax tree
 * (`ast.ts`, `ast_build.ts`) and the warnings (`warnings.ts`).
 *
 * @example
 * ```ts
 * import { validateCode } from "@securer/securer";
 *
 * const v = validateCode("function(x{");
 * console.log(v.valid, v.error?.line, v.error?.column); // false 1 10
 * ```
 *
 * @module
 */
export { validateCode, type ValidateResult } from "./validate_code.ts";

// validate.yaml: extra CRD files and exceptions (each with a required reason). Pure parse + a reader.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { ValidateError } from "./errors.js";

const exceptionSchema = z.strictObject({
  rule: z.string().min(1).describe("Rule id the exception turns off, e.g. image-pinned."),
  file: z.string().optional().describe("File or folder, relative to validate.yaml; all files when omitted."),
  object: z.string().optional().describe("`Kind namespace/name` or `Kind name` as shown in the report."),
  path: z.string().optional().describe("Path inside the document (prefix match), e.g. spec.template."),
  reason: z.string().trim().min(1, "a reason is required").describe("Why the exception is acceptable."),
});

export const validateConfigSchema = z.strictObject({
  crds: z.array(z.string()).default([]).describe("Extra CustomResourceDefinition files, relative to validate.yaml."),
  exceptions: z.array(exceptionSchema).default([]).describe("Findings to accept, each with a reason."),
});

export type ConfigException = z.infer<typeof exceptionSchema>;

export interface ValidateConfig {
  /** Directory relative paths in the file are resolved against. */
  readonly dir: string;
  readonly file?: string;
  readonly crds: readonly string[];
  readonly exceptions: readonly ConfigException[];
}

/** Validates parsed validate.yaml data; throws E_CONFIG naming each bad field. */
export function parseValidateConfig(data: unknown, options: { file: string }): ValidateConfig {
  const result = validateConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ValidateError(
      "E_CONFIG",
      `${options.file} is invalid: ${lines.join("; ")}`,
      "fix validate.yaml (see the README)",
    );
  }
  return {
    dir: path.dirname(options.file),
    file: options.file,
    crds: result.data.crds.map((crd) => path.resolve(path.dirname(options.file), crd)),
    exceptions: result.data.exceptions,
  };
}

/** Reads validate.yaml; when `required` is false a missing file yields an empty config. */
export async function readValidateConfig(file: string, options: { required: boolean }): Promise<ValidateConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if (!options.required && (cause as NodeJS.ErrnoException).code === "ENOENT") {
      return { dir: path.dirname(file), crds: [], exceptions: [] };
    }
    throw new ValidateError(
      "E_READ",
      `cannot read ${file}: ${(cause as Error).message}`,
      "pass an existing --config file",
      {
        cause,
      },
    );
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (cause) {
    throw new ValidateError(
      "E_CONFIG",
      `${file} is not valid YAML: ${(cause as Error).message}`,
      "fix the YAML syntax",
      {
        cause,
      },
    );
  }
  return parseValidateConfig(data, { file });
}

// `updatekeys`: re-wraps the data key for the recipients of the file's creation rule.
import { SopsError } from "../errors.js";
import { readInputFile } from "../io.js";
import { type UpdateKeysResult, updateKeysText } from "../operations/updatekeys.js";
import { configOf, type FileCommandOptions, formatsOf, identitiesOf, ruleOf, storeOptionsOf } from "./context.js";

export async function updateKeysFile(options: FileCommandOptions): Promise<UpdateKeysResult> {
  const { input } = formatsOf(options);
  const config = await configOf(options);
  const rule = ruleOf(config, options);
  if (!config || !rule) {
    throw new SopsError("E_SOPS_NO_RULE", "no .sops.yaml with creation_rules found", {
      file: options.file,
      hint: "updatekeys takes the recipients from the matching creation rule; add a .sops.yaml or pass --config",
    });
  }
  return updateKeysText(await readInputFile(options.readPath ?? options.file), {
    ...storeOptionsOf(config, options),
    format: input,
    recipientGroups: rule.ageGroups,
    shamirThreshold: rule.shamirThreshold,
    identities: await identitiesOf(options),
    file: options.file,
  });
}

import { isMap, isScalar, parseDocument, type Pair } from 'yaml';
import { keySpec } from '../secrets';
import { lineAt, type FoundKey, type ScanFindings } from './found-key';

/*
 * The Stigmer CLI's own format, read from its source (stigmer/stigmer,
 * client-apps/cli/internal/cli/config/config.go): `GetConfigPath()` is
 * `filepath.Join(homeDir, ".stigmer", "config.yaml")`; `Save()` marshals with gopkg.in/yaml.v3
 * behind a three-line `# Stigmer CLI Configuration` header and writes it 0600. The provider key
 * lives at `backend.local.llm`:
 *
 *   type LLMConfig struct {
 *     Provider string `yaml:"provider"`           // "ollama", "anthropic", "openai"
 *     Model    string `yaml:"model,omitempty"`
 *     APIKey   string `yaml:"api_key,omitempty"`  // API key (optional - env var takes precedence)
 *     BaseURL  string `yaml:"base_url,omitempty"`
 *   }
 *
 * and `ResolveLLMAPIKey()` hands `api_key` to the provider named by `provider` (anthropic ->
 * ANTHROPIC_API_KEY, openai -> OPENAI_API_KEY). `backend.cloud.token` is a Stigmer Cloud login,
 * not a provider key, and is left alone.
 */

/** Where the Stigmer CLI keeps its config under a home dir. */
export const STIGMER_CONFIG_PATH = ['.stigmer', 'config.yaml'] as const;

const PROVIDER_KEYS: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

/** The key name for `api_key`: from `provider`, else from the value's well-known prefix. */
function keyNameFor(provider: unknown, value: string): string | null {
  if (typeof provider === 'string' && provider.trim() !== '') {
    return PROVIDER_KEYS[provider.trim().toLowerCase()] ?? null;
  }
  if (value.startsWith(keySpec('ANTHROPIC_API_KEY')!.prefix!)) return 'ANTHROPIC_API_KEY';
  if (value.startsWith(keySpec('OPENAI_API_KEY')!.prefix!)) return 'OPENAI_API_KEY';
  return null;
}

/**
 * The `api_key` of `backend.local.llm` in a Stigmer CLI config, with the lines that hold it.
 * Only a block-style `api_key: value` (what yaml.v3 writes) is offered for removal; a flow
 * mapping (`llm: {api_key: …}`) or a value that shares a line with something else is imported
 * but left in the file, with a note saying to remove it by hand.
 */
export function scanStigmerConfig(text: string): ScanFindings {
  const doc = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      keys: [],
      notes: [
        `It is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); fix it or import the key by hand.`,
      ],
    };
  }
  const llm = doc.getIn(['backend', 'local', 'llm'], true);
  if (!isMap(llm)) return { keys: [], notes: [] };
  const pair = llm.items.find((item) => isScalar(item.key) && item.key.value === 'api_key') as
    Pair<unknown, unknown> | undefined;
  if (!pair || !isScalar(pair.value) || !isScalar(pair.key)) return { keys: [], notes: [] };
  const value = pair.value.value;
  if (typeof value !== 'string' || value.trim() === '') return { keys: [], notes: [] };
  const provider = llm.get('provider');
  const name = keyNameFor(provider, value);
  if (!name) {
    return {
      keys: [],
      notes: [
        `backend.local.llm.api_key is for provider "${String(provider).slice(0, 40)}", which Stigmer Local does not manage; it was left alone.`,
      ],
    };
  }
  const keyStart = pair.key.range![0];
  const valueEnd = pair.value.range![1];
  const first = lineAt(text, keyStart);
  const last = lineAt(text, Math.max(keyStart, valueEnd - 1));
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const lineEndAt = text.indexOf('\n', valueEnd);
  const after = text.slice(valueEnd, lineEndAt === -1 ? text.length : lineEndAt);
  const blockStyle =
    !llm.flow &&
    /^[ \t]*$/.test(text.slice(lineStart, keyStart)) &&
    /^[ \t]*(#.*)?\r?$/.test(after);
  const key: FoundKey = {
    name,
    value,
    line: lineAt(text, pair.value.range![0]),
    removeLines: blockStyle ? [first, last] : null,
    removeProblem: blockStyle
      ? null
      : 'It shares its line with other settings; remove api_key from the file by hand.',
  };
  return { keys: [key], notes: [] };
}

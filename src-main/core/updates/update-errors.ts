/** Where a person can always get a release by hand. */
export const RELEASES_PAGE = 'https://github.com/stigmer/stigmer-local/releases';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // electron-updater's messages can carry whole response bodies and stacks; keep the first line.
  const first = message.split('\n')[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

/**
 * An updater failure as advice: what happened, why, what to do. `stage` is what was being
 * done ("check" or "download") and `version` the release being downloaded, if any.
 */
export function updateErrorMessage(
  error: unknown,
  stage: 'check' | 'download',
  version: string | null,
): string {
  const code = codeOf(error);
  const release = version ? `Stigmer Local ${version}` : 'the update';
  if (code === 'ERR_CHECKSUM_MISMATCH') {
    return (
      `The download of ${release} was refused: its sha512 checksum does not match the one the ` +
      `release published, so the file was damaged or altered on the way. Nothing was installed ` +
      `and the download was deleted. Try "Check for updates" again later; if it keeps failing, ` +
      `download the release from ${RELEASES_PAGE}.`
    );
  }
  if (code === 'ERR_UPDATER_INVALID_VERSION') {
    return `The update feed announces a version that is not a valid version number (${messageOf(error)}). Nothing was downloaded; the release is misconfigured, so check ${RELEASES_PAGE} by hand.`;
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET' ||
    /net::ERR_/.test(messageOf(error))
  ) {
    return `Could not reach the update server to ${stage === 'check' ? 'check for updates' : `download ${release}`} (${messageOf(error)}). Check your connection; Stigmer Local tries again at its next daily check, or use "Check for updates".`;
  }
  if (stage === 'check') {
    return `Checking for updates failed: ${messageOf(error)}. Nothing was downloaded; Stigmer Local tries again at its next daily check, or see ${RELEASES_PAGE}.`;
  }
  return `Downloading ${release} failed: ${messageOf(error)}. Nothing was installed; use "Check for updates" to try again, or download it from ${RELEASES_PAGE}.`;
}

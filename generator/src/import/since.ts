/**
 * `req.target-min-winverclnt` → the first NDIS version that has the entry ("NDIS 6.20"), or null
 * when the text names none the normalizer can read.
 *
 * - "Supported in NDIS 6.20 and later." → NDIS 6.20
 * - "Supported for NDIS 6.0 and NDIS 5.1 drivers … in Windows Vista." → NDIS 6.0: the spec describes
 *   the NDIS 6 interface, and NDIS 5.x mentions point at the legacy pages of the same name.
 * - "Windows Vista and later", "Windows 10", "Windows 10, version 1709" → the NDIS version those
 *   releases introduced (6.0, 6.50, 6.80).
 * - "Deprecated …" with no supported version, or empty → null.
 */

/** Windows client releases and the NDIS version each introduced. */
const windowsReleases: readonly (readonly [RegExp, string])[] = [
  [/^(?:available in )?windows 10,? version 1709\b/i, 'NDIS 6.80'],
  [/^(?:available in )?windows 10\b(?!,? version)/i, 'NDIS 6.50'],
  [/^(?:available in )?windows vista\b/i, 'NDIS 6.0'],
];

export function normalizeSince(raw: string): string | null {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  const versions: [number, number, string][] = [];
  // Versions the text says the entry is supported in: "Supported in/for NDIS x.y", "NDIS x.y and later",
  // "NDIS x.y and NDIS 5.1", "Obsolete in …" and "Deprecated for …" clauses are left out.
  for (const clause of text.split(/(?<=\.)\s+(?=[A-Z])/)) {
    if (/^(?:deprecated|obsolete)\b/i.test(clause)) continue;
    if (!/\bsupported\b/i.test(clause)) continue;
    const head = clause.replace(/\bfor ndis (\d+\.\d+)(?: and later)?,? use\b.*$/i, '').replace(/\. For .*$/, '');
    for (const match of head.matchAll(/\bNDIS\s+(\d+)\.(\d+)\b/gi)) {
      const major = Number(match[1]);
      versions.push([major, Number(`0.${match[2]}`), `NDIS ${match[1]}.${match[2]}`]);
    }
    for (const match of head.matchAll(/\band (\d+)\.(\d+)\b/gi)) {
      versions.push([Number(match[1]), Number(`0.${match[2]}`), `NDIS ${match[1]}.${match[2]}`]);
    }
  }
  const modern = versions.filter(([major]) => major >= 6).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (modern.length > 0) return modern[0]![2];
  for (const [pattern, version] of windowsReleases) if (pattern.test(text)) return version;
  return null;
}

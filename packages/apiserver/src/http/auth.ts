import { readFile } from "node:fs/promises";

export type UserInfo = { name: string; uid: string; groups: string[] };

/** Who made a request, or undefined when the credentials are missing or wrong. */
export interface Authenticator {
  authenticate(authorization: string | undefined): UserInfo | undefined;
}

/** Every request is an administrator: used when no token file is configured. */
export const allowAll: Authenticator = {
  authenticate: () => ({ name: "system:admin", uid: "", groups: ["system:masters", "system:authenticated"] }),
};

/**
 * Bearer tokens in kube-apiserver's static token file format:
 * `token,user,uid,"group1,group2"` per line; `#` comments and blank lines ignored.
 */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const fields = splitCsvLine(trimmed);
    if (fields.length < 3 || !fields[0] || !fields[1]) {
      throw new Error(`token file line ${index + 1}: expected token,user,uid[,"groups"]`);
    }
    const groups = (fields[3] ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter((g) => g !== "");
    tokens.set(fields[0], { name: fields[1], uid: fields[2], groups: [...groups, "system:authenticated"] });
  });
  return tokens;
}

function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      fields.push(current.trim());
      current = "";
    } else current += ch;
  }
  fields.push(current.trim());
  return fields;
}

export function tokenAuthenticator(tokens: Map<string, UserInfo>): Authenticator {
  return {
    authenticate(authorization) {
      if (!authorization) return undefined;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      return match ? tokens.get(match[1]) : undefined;
    },
  };
}

export async function loadTokenFile(path: string): Promise<Authenticator> {
  return tokenAuthenticator(parseTokenFile(await readFile(path, "utf8")));
}

// @platformatic/kafka in tests: it needs Node.js >= 22.22 on the 22 line, >= 24.6 after that; on other
// lines its tests skip with this reason.

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

/** Why @platformatic/kafka cannot run on this Node.js, or undefined when it can. */
export const platformaticSkip: string | undefined =
  (major === 22 && minor >= 22) || (major === 24 && minor >= 6) || major >= 25
    ? undefined
    : `@platformatic/kafka needs Node.js >= 22.22 or >= 24.6 (this is ${process.versions.node})`;

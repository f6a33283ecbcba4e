/**
 * A mistake in what the user asked for (flags, files, stack config): printed as one line, exit 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

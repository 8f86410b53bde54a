/** A request refused before GraphQL sees it, answered with this status and message as plain text. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

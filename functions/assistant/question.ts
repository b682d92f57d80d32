/**
 * The rules a question must meet, shared by the askAboutOrders resolver (which rejects before invoking)
 * and the assistant Lambda (which checks again). Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** Longest question the assistant takes, in characters. */
export const MAX_QUESTION_LENGTH = 500;

/** The errorInfo of a ValidationError for a question: the field and the rule it breaks. */
export interface QuestionViolation {
  field: string;
  reason: string;
}

/** The first rule the question breaks, or null. */
export function questionViolation(question: string): QuestionViolation | null {
  if (question.trim() === '') return { field: 'question', reason: 'question must not be empty' };
  if (question.length > MAX_QUESTION_LENGTH) {
    return {
      field: 'question',
      reason: `question must be at most ${MAX_QUESTION_LENGTH} characters, received ${question.length}`,
    };
  }
  return null;
}

/** Who asks, as the resolver sends it to the assistant: built from the verified token, never from input. */
export interface Asker {
  kind: 'customer' | 'vendor';
  /** The Cognito sub. */
  id: string;
  /** The vendor's id (custom:vendorId) for a vendor, null for a customer. */
  vendorId: string | null;
}

/** The event the askAboutOrders resolver sends to the assistant Lambda. */
export interface AskEvent {
  question: string;
  asker: Asker;
}

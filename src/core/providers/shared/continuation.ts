/**
 * The instruction appended after the partial assistant turn when an OpenAI-style provider continues a stream that
 * another deployment started (mid-stream failover). Anthropic and Gemini continue from a prefilled assistant/model
 * turn instead and need no instruction. The simulator recognises exactly this text.
 */
export const CONTINUATION_INSTRUCTION =
  'Continue your previous answer exactly where it stopped. Do not repeat anything already written and do not add any preamble.';

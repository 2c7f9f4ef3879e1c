import { z } from 'zod';
import { routingExtensionSchema } from '../../core/types/chat-request.js';

/**
 * The Anthropic Messages API request body as our `POST /v1/messages` accepts it. Unknown top-level fields are
 * rejected (as Anthropic does) rather than silently dropped, so a client never gets a result that ignored one of
 * its settings; per-block extras such as `cache_control` and `citations` carry no meaning for other providers and
 * are stripped.
 * @see https://docs.anthropic.com/en/api/messages
 */

const textBlockSchema = z.object({ type: z.literal('text'), text: z.string() });

const imageSourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('base64'),
    media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
    data: z.string().min(1),
  }),
  z.object({
    type: z.literal('url'),
    url: z.string().refine((url) => url.startsWith('https://') || url.startsWith('http://'), {
      message: 'must be an http(s) URL',
    }),
  }),
]);
const imageBlockSchema = z.object({ type: z.literal('image'), source: imageSourceSchema });

const toolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

const toolResultBlockSchema = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlockSchema, imageBlockSchema]))]).optional(),
  is_error: z.boolean().optional(),
});

const thinkingBlockSchema = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

/** Every block a message may hold; which role may hold which is checked by the converter. */
export const anthropicContentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  imageBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
]);

export const anthropicMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(anthropicContentBlockSchema)]),
});

export const anthropicToolSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});

export const anthropicToolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
]);

export const anthropicThinkingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  z.object({ type: z.literal('disabled') }),
  /** The model decides how much to think: no `reasoning_effort` is set, so the provider's default applies. */
  z.object({ type: z.literal('adaptive') }),
]);

export const anthropicRequestSchema = z.strictObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(anthropicMessageSchema).min(1),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  tools: z.array(anthropicToolSchema).optional(),
  tool_choice: anthropicToolChoiceSchema.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  /** Validated only so the converter can reject it by name: the unified format has no top-k sampling. */
  top_k: z.number().int().nonnegative().optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
  thinking: anthropicThinkingSchema.optional(),
  /** Anthropic capacity tier; meaningless for other providers and without effect on the output. */
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  /** Our routing extension, passed through unchanged. */
  circuit_breaker: routingExtensionSchema.optional(),
});

export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;
export type AnthropicRequestMessage = z.infer<typeof anthropicMessageSchema>;
export type AnthropicRequestContentBlock = z.infer<typeof anthropicContentBlockSchema>;
export type AnthropicToolChoice = z.infer<typeof anthropicToolChoiceSchema>;
export type AnthropicThinking = z.infer<typeof anthropicThinkingSchema>;

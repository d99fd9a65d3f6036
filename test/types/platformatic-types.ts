// Type-level test, checked by `tsc` (npm run typecheck), never run: the structural types the middleware
// reads from @platformatic/kafka's channels accept the client's own message types, and the helper takes
// what its streams deliver. A failure here is a compile error.
import type { Message, MessagesStream, MessageToProduce } from '@platformatic/kafka' with { 'resolution-mode': 'import' };
import { withPlatformaticMessageSpan, type PlatformaticMessage, type PlatformaticOutgoingMessage } from '../../src/index';

export const produced = (m: MessageToProduce): PlatformaticOutgoingMessage => m;
export const producedStrings = (m: MessageToProduce<string, string, string, string>): PlatformaticOutgoingMessage => m;
export const consumed = (m: Message): PlatformaticMessage => m;
export const consumedStrings = (m: Message<string, object, string, string>): PlatformaticMessage => m;

export async function handleAll(stream: MessagesStream<string, string, string, string>): Promise<void> {
  for await (const message of stream) {
    const offset: bigint = await withPlatformaticMessageSpan(message, async () => message.offset);
    void offset;
  }
}

/** Entry of the I/O worker the node worker starts (opfsIo.ts). */
import { serveOpfsIo } from './ioServer.ts'

serveOpfsIo(self as unknown as { onmessage: ((e: MessageEvent) => void) | null })

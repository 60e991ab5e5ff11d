import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { handleTrpcRequest } from '~/trpc.server';

export function loader({ request, context }: LoaderFunctionArgs) {
  return handleTrpcRequest(request, context);
}

export function action({ request, context }: ActionFunctionArgs) {
  return handleTrpcRequest(request, context);
}

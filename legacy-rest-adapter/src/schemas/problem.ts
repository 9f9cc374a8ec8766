import { Problem, problemResponse } from '@manifold/platform/openapi';

export { Problem, problemResponse };

/** How a failing monolith shows in every route's documentation. */
export const legacyFailureResponses = {
  502: problemResponse('The legacy system failed'),
  503: problemResponse('The legacy system is unavailable; see Retry-After'),
  504: problemResponse('The legacy system did not answer in time'),
};

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { familyOf, normalizeResponseType } from '../../clients/response-types.js';
import { type ResponsePart, ResponseTypePart } from './response-part.js';

/**
 * The response types this authorization endpoint serves: every combination
 * (OAuth 2.0 Multiple Response Types) whose words all have a part.
 */
@Injectable()
export class ResponseTypeRegistry implements OnModuleInit {
  private parts = new Map<string, ResponsePart>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: ResponseTypePart.KEY })) {
      const part = wrapper.instance as ResponsePart;
      if (this.parts.has(part.word))
        throw new Error(`Two providers answer response type word "${part.word}"`);
      this.parts.set(part.word, part);
    }
  }

  supports(responseType: string): boolean {
    const words = normalizeResponseType(responseType).split(' ');
    return familyOf(responseType) !== undefined && words.every((word) => this.parts.has(word));
  }

  /** For discovery: the supported response types, canonical spelling. */
  responseTypes(): string[] {
    const all = [
      'code',
      'id_token',
      'id_token token',
      'code id_token',
      'code token',
      'code id_token token',
      'token',
    ];
    return all.filter((responseType) => this.supports(responseType));
  }

  /** The parts of a response type, in the order they must run. */
  partsOf(responseType: string): ResponsePart[] {
    return normalizeResponseType(responseType)
      .split(' ')
      .map((word) => this.parts.get(word)!)
      .sort((a, b) => a.order - b.order);
  }
}

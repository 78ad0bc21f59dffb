// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CardRegistry} from "./CardRegistry.sol";

/// @title KeyMarket — key tokens for paid cards (DESIGN §2 "Key token", §3, §4.4–4.5).
/// @notice One ERC-721 (with ERC-2981) for all listings. A buyer pays the exact price, which is
/// held in escrow until the card's key agent delivers the content key sealed to the buyer's
/// X25519 wrap key (`KeyDelivered`); the first delivery releases the escrow to the creator.
/// If nothing was delivered within {DELIVERY_TIMEOUT}, the owner may burn the token for a refund.
///
/// Token ids are `listingId << 64 | serial` (serial from 1), so a token finds its listing
/// without a storage read.
///
/// Transfer fee: every transfer other than mint and burn pays the listing's `transferFee` to
/// the creator. Pay it either
///  - in the same call: `transferWithFee(from, to, tokenId)` with `msg.value == transferFee`, or
///  - beforehand: `prepayTransferFee(tokenId)` (anyone, `msg.value == transferFee`), after which
///    one plain `transferFrom` / `safeTransferFrom` goes through (marketplaces use this).
/// A plain `transferFrom` / `safeTransferFrom` with nothing prepaid reverts with
/// `TransferFeeNotPaid` (unless the fee is zero). The fixed-price resale path
/// (`offer` → `buyOffered`) takes the fee from the buyer together with the price.
///
/// Payouts to creators and sellers are pull payments: they accrue in `owed` and are taken
/// with `claim()`. Only `refund` and `claim` send ether, both `nonReentrant` and after all
/// state changes.
contract KeyMarket is ERC721, IERC2981, ReentrancyGuardTransient {
    /// @notice How long a buyer waits for the first delivery before a refund is possible.
    uint256 public constant DELIVERY_TIMEOUT = 1 days;
    uint256 private constant BPS = 10_000;

    /// @notice A card's listing. Slot 0 holds everything `buy` reads and writes.
    struct Listing {
        uint96 price;
        uint32 supply; // 0 = unlimited
        uint32 minted;
        uint32 refunded;
        uint16 royaltyBps;
        address creator;
        uint96 transferFee;
        address keyAgent;
        bytes32 cardId;
    }

    /// @notice Per-token state, one slot.
    struct Token {
        uint96 escrow; // wei held until the first delivery (0 afterwards)
        uint40 boughtAt;
        bool pending; // a key request awaits delivery
        uint8 prepaidFees; // transfer fees paid in advance
    }

    /// @notice A fixed-price resale offer; valid only while `seller` owns the token.
    struct Offer {
        uint96 price;
        address seller;
    }

    CardRegistry public immutable registry;
    uint64 public listingCount;
    mapping(bytes32 cardId => uint64 listingId) public listingIdOf;
    mapping(uint256 listingId => Listing) private _listings;
    mapping(uint256 tokenId => Token) private _tokens;
    mapping(uint256 tokenId => Offer) private _offers;
    /// @notice Ether waiting to be claimed (creators' proceeds, royalties, fees; sellers' takings).
    mapping(address account => uint256 amount) public owed;
    /// @dev `tokenId + 1` whose transfer fee the current call has already taken.
    uint256 private transient _feeSettled;

    event Listed(
        bytes32 indexed cardId,
        address indexed creator,
        uint256 indexed listingId,
        uint256 price,
        uint256 supply,
        uint256 royaltyBps,
        uint256 transferFee,
        address keyAgent
    );
    /// @notice An owner asks the key agent for the content key, sealed to `wrapPub` (X25519).
    event KeyRequested(
        uint256 indexed tokenId, bytes32 indexed cardId, address indexed keyAgent, address owner, bytes32 wrapPub
    );
    /// @notice The key agent answered the latest request of `tokenId`.
    event KeyDelivered(uint256 indexed tokenId, bytes wrappedKey);
    event Refunded(uint256 indexed tokenId, address indexed owner, uint256 amount);
    event TransferFeePrepaid(uint256 indexed tokenId, address indexed payer, uint256 fee);
    event OfferSet(uint256 indexed tokenId, address indexed seller, uint256 price);
    event OfferCancelled(uint256 indexed tokenId);
    event Resold(uint256 indexed tokenId, address indexed seller, address indexed buyer, uint256 price, uint256 royalty);
    event Claimed(address indexed account, uint256 amount);

    error NotCreator(bytes32 cardId, address caller);
    error AlreadyListed(bytes32 cardId);
    error NotListed(bytes32 cardId);
    error InvalidRoyalty(uint256 royaltyBps);
    error ZeroAddress();
    error WrongPayment(uint256 expected, uint256 sent);
    error SoldOut(bytes32 cardId);
    error NotKeyAgent(uint256 tokenId, address caller);
    error NoPendingRequest(uint256 tokenId);
    error NotTokenOwner(uint256 tokenId, address caller);
    error NothingToRefund(uint256 tokenId);
    error RefundTooEarly(uint256 tokenId, uint256 availableAt);
    error TransferFeeNotPaid(uint256 tokenId, uint256 fee);
    error NoOffer(uint256 tokenId);
    error InvalidPrice();
    error NothingToClaim();
    error PaymentFailed(address to, uint256 amount);

    constructor(CardRegistry registry_) ERC721("Hashcard Key", "HCKEY") {
        registry = registry_;
    }

    /// @notice Lists a posted card for sale. Only its creator; once per card.
    /// @param supply Number of keys that may exist at once (0 = unlimited); refunds free a unit.
    /// @param royaltyBps ERC-2981 royalty, also taken on `buyOffered` resales (≤ 10,000).
    /// @param transferFee Wei paid to the creator on every transfer (see contract notes).
    /// @param keyAgent The address allowed to `deliver` keys (the creator's node or a delegate).
    function list(
        bytes32 cardId,
        uint96 price,
        uint32 supply,
        uint16 royaltyBps,
        uint96 transferFee,
        address keyAgent
    ) external returns (uint64 listingId) {
        if (registry.creatorOf(cardId) != msg.sender) revert NotCreator(cardId, msg.sender);
        if (listingIdOf[cardId] != 0) revert AlreadyListed(cardId);
        if (royaltyBps > BPS) revert InvalidRoyalty(royaltyBps);
        if (keyAgent == address(0)) revert ZeroAddress();
        listingId = ++listingCount;
        listingIdOf[cardId] = listingId;
        _listings[listingId] = Listing({
            price: price,
            supply: supply,
            minted: 0,
            refunded: 0,
            royaltyBps: royaltyBps,
            creator: msg.sender,
            transferFee: transferFee,
            keyAgent: keyAgent,
            cardId: cardId
        });
        emit Listed(cardId, msg.sender, listingId, price, supply, royaltyBps, transferFee, keyAgent);
    }

    /// @notice Buys a key: pays exactly the price into escrow, mints the token to the caller
    /// and requests delivery of the content key sealed to `wrapPub`.
    function buy(bytes32 cardId, bytes32 wrapPub) external payable returns (uint256 tokenId) {
        uint256 listingId = listingIdOf[cardId];
        if (listingId == 0) revert NotListed(cardId);
        Listing storage l = _listings[listingId];
        uint256 price = l.price;
        if (msg.value != price) revert WrongPayment(price, msg.value);
        uint32 minted = l.minted;
        uint32 supply = l.supply;
        if (supply != 0 && minted - l.refunded >= supply) revert SoldOut(cardId);
        unchecked {
            ++minted;
        }
        l.minted = minted;
        tokenId = (listingId << 64) | minted;
        _tokens[tokenId] = Token({escrow: uint96(price), boughtAt: uint40(block.timestamp), pending: true, prepaidFees: 0});
        _mint(msg.sender, tokenId);
        emit KeyRequested(tokenId, cardId, l.keyAgent, msg.sender, wrapPub);
    }

    /// @notice Answers the pending key request of `tokenId`. Only the listing's key agent, once
    /// per request. The first delivery releases the escrow to the creator (claimable).
    /// @param wrappedKey The content key sealed (HPKE) to the requester's wrap key; emitted only.
    function deliver(uint256 tokenId, bytes calldata wrappedKey) external {
        Listing storage l = _listings[tokenId >> 64];
        if (msg.sender != l.keyAgent) revert NotKeyAgent(tokenId, msg.sender);
        Token storage t = _tokens[tokenId];
        if (!t.pending) revert NoPendingRequest(tokenId);
        uint256 escrow = t.escrow;
        t.pending = false;
        if (escrow != 0) {
            t.escrow = 0;
            owed[l.creator] += escrow;
        }
        emit KeyDelivered(tokenId, wrappedKey);
    }

    /// @notice Burns an undelivered token and returns its escrow to the owner, once
    /// {DELIVERY_TIMEOUT} has passed since the purchase without any delivery.
    function refund(uint256 tokenId) external nonReentrant {
        if (_ownerOf(tokenId) != msg.sender) revert NotTokenOwner(tokenId, msg.sender);
        Token memory t = _tokens[tokenId];
        if (t.escrow == 0) revert NothingToRefund(tokenId);
        uint256 availableAt = uint256(t.boughtAt) + DELIVERY_TIMEOUT;
        if (block.timestamp < availableAt) revert RefundTooEarly(tokenId, availableAt);
        delete _tokens[tokenId];
        unchecked {
            ++_listings[tokenId >> 64].refunded;
        }
        _burn(tokenId);
        emit Refunded(tokenId, msg.sender, t.escrow);
        _send(msg.sender, t.escrow);
    }

    /// @notice Asks the key agent again, e.g. after the token changed hands. Owner only; free.
    function requestKey(uint256 tokenId, bytes32 wrapPub) external {
        if (_ownerOf(tokenId) != msg.sender) revert NotTokenOwner(tokenId, msg.sender);
        _tokens[tokenId].pending = true;
        Listing storage l = _listings[tokenId >> 64];
        emit KeyRequested(tokenId, l.cardId, l.keyAgent, msg.sender, wrapPub);
    }

    /// @notice `transferFrom` that pays the listing's transfer fee (`msg.value` must equal it).
    function transferWithFee(address from, address to, uint256 tokenId) external payable {
        Listing storage l = _listings[tokenId >> 64];
        uint256 fee = l.transferFee;
        if (msg.value != fee) revert WrongPayment(fee, msg.value);
        if (fee != 0) owed[l.creator] += fee;
        _feeSettled = tokenId + 1;
        transferFrom(from, to, tokenId);
    }

    /// @notice Pays the transfer fee for one later plain `transferFrom`/`safeTransferFrom` of
    /// `tokenId`. Anyone may pay; the fee goes to the creator at once.
    function prepayTransferFee(uint256 tokenId) external payable {
        _requireOwned(tokenId);
        Listing storage l = _listings[tokenId >> 64];
        uint256 fee = l.transferFee;
        if (msg.value != fee) revert WrongPayment(fee, msg.value);
        _tokens[tokenId].prepaidFees += 1;
        owed[l.creator] += fee;
        emit TransferFeePrepaid(tokenId, msg.sender, fee);
    }

    /// @notice Offers `tokenId` for sale at a fixed `price` (wei). Owner only; replaces any offer.
    function offer(uint256 tokenId, uint96 price) external {
        if (_ownerOf(tokenId) != msg.sender) revert NotTokenOwner(tokenId, msg.sender);
        if (price == 0) revert InvalidPrice();
        _offers[tokenId] = Offer({price: price, seller: msg.sender});
        emit OfferSet(tokenId, msg.sender, price);
    }

    /// @notice Withdraws the caller's offer on `tokenId`.
    function cancelOffer(uint256 tokenId) external {
        if (_ownerOf(tokenId) != msg.sender) revert NotTokenOwner(tokenId, msg.sender);
        delete _offers[tokenId];
        emit OfferCancelled(tokenId);
    }

    /// @notice Buys an offered token: `msg.value` = offer price + transfer fee. The creator gets
    /// the royalty (royaltyBps of the price) and the fee, the seller the rest of the price (both
    /// claimable). The token moves to the caller and a key request for `wrapPub` is opened.
    function buyOffered(uint256 tokenId, bytes32 wrapPub) external payable {
        Offer memory o = _offers[tokenId];
        address seller = _ownerOf(tokenId);
        if (o.price == 0 || o.seller != seller) revert NoOffer(tokenId);
        Listing storage l = _listings[tokenId >> 64];
        uint256 fee = l.transferFee;
        uint256 total = uint256(o.price) + fee;
        if (msg.value != total) revert WrongPayment(total, msg.value);
        delete _offers[tokenId];
        uint256 royalty = (uint256(o.price) * l.royaltyBps) / BPS;
        address creator = l.creator;
        owed[creator] += royalty + fee;
        owed[seller] += o.price - royalty;
        _feeSettled = tokenId + 1;
        _transfer(seller, msg.sender, tokenId);
        _tokens[tokenId].pending = true;
        emit Resold(tokenId, seller, msg.sender, o.price, royalty);
        emit KeyRequested(tokenId, l.cardId, l.keyAgent, msg.sender, wrapPub);
    }

    /// @notice Sends the caller everything `owed` to it.
    function claim() external nonReentrant {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingToClaim();
        owed[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice The listing of `cardId` (all zero if not listed).
    function listingOf(bytes32 cardId) external view returns (Listing memory) {
        return _listings[listingIdOf[cardId]];
    }

    /// @notice The listing a token belongs to (all zero for ids of no listing).
    function listingOfToken(uint256 tokenId) external view returns (Listing memory) {
        return _listings[tokenId >> 64];
    }

    /// @notice Escrow, purchase time, pending request and prepaid fees of `tokenId`.
    function tokenState(uint256 tokenId) external view returns (Token memory) {
        return _tokens[tokenId];
    }

    /// @notice The resale offer of `tokenId`, if its seller still owns the token.
    function offerOf(uint256 tokenId) external view returns (Offer memory o) {
        o = _offers[tokenId];
        if (o.seller != _ownerOf(tokenId)) o = Offer(0, address(0));
    }

    /// @inheritdoc IERC2981
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        Listing storage l = _listings[tokenId >> 64];
        return (l.creator, (salePrice * l.royaltyBps) / BPS);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Every transfer (not mint, not burn) must have its fee settled, closes any pending
    /// key request (the new owner asks with `requestKey`) and cancels any resale offer.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && to != address(0)) {
            Token storage t = _tokens[tokenId];
            t.pending = false;
            // An offer does not survive its seller losing the token (it would revive if the
            // token came back).
            if (_offers[tokenId].price != 0) delete _offers[tokenId];
            if (_feeSettled == tokenId + 1) {
                _feeSettled = 0;
            } else {
                uint256 fee = _listings[tokenId >> 64].transferFee;
                if (fee != 0) {
                    uint8 prepaid = t.prepaidFees;
                    if (prepaid == 0) revert TransferFeeNotPaid(tokenId, fee);
                    t.prepaidFees = prepaid - 1;
                }
            }
        }
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
    }
}
